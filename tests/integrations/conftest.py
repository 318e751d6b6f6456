"""Fixtures of the integration tests: MIS simulators started once per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integrations.mis_systems import RunningSystems


@pytest.fixture(scope="module")
def mis_systems() -> Iterator[RunningSystems]:
    """`mis_systems.get(name)`: a configuration of SYSTEMS, started on first use in
    this module and reset to the reference clinic on every later one."""
    running = RunningSystems()
    yield running
    running.close()
