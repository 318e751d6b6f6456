"""One way for a test to wait: poll a condition until it holds or a deadline passes.

Tests never sleep for a fixed time to let something happen; they poll for
the thing itself (a row written, a log line, a file) with `wait_for`, which
fails with a readable message, and the tail of a log when one is given.
"""

import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")


def wait_for(
    predicate: Callable[[], T],
    seconds: float = 5.0,
    what: str = "it",
    *,
    log: Path | None = None,
    every: float = 0.05,
) -> T:
    """Return the first truthy value of `predicate()`; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            break
        time.sleep(every)
    tail = ""
    if log is not None and log.exists():
        tail = "; log:\n" + log.read_text(errors="replace")[-4000:]
    pytest.fail(f"timed out after {seconds} s waiting for {what}{tail}")
