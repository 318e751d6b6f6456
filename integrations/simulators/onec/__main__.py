"""Run the 1С:Медицина simulator as a process: python -m integrations.simulators.onec."""

from __future__ import annotations

from integrations.simulators._mis_http import run_as_process
from integrations.simulators.onec.server import OnecSimulator


def main(argv: list[str] | None = None) -> None:
    run_as_process(
        OnecSimulator,
        argv,
        name="onec",
        port=8094,
        options={"user": "site", "password": "onec"},  # noqa: S106 - the demo login
    )


if __name__ == "__main__":
    main()
