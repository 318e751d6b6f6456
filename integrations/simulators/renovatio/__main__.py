"""Run the Renovatio simulator as a process: python -m integrations.simulators.renovatio."""

from __future__ import annotations

from integrations.simulators._mis_http import run_as_process
from integrations.simulators.renovatio.server import DEMO_API_KEY, RenovatioSimulator


def main(argv: list[str] | None = None) -> None:
    run_as_process(
        RenovatioSimulator,
        argv,
        name="renovatio",
        port=8098,
        options={"api_key": DEMO_API_KEY},
    )


if __name__ == "__main__":
    main()
