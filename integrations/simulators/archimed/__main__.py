"""Run the Архимед simulator as a process: python -m integrations.simulators.archimed."""

from __future__ import annotations

from integrations.simulators._mis_http import run_as_process
from integrations.simulators.archimed.server import ArchimedSimulator


def main(argv: list[str] | None = None) -> None:
    run_as_process(
        ArchimedSimulator,
        argv,
        name="archimed",
        port=8099,
        options={"api_id": "archimed-site", "api_secret": "archimed-secret"},  # noqa: S106
    )


if __name__ == "__main__":
    main()
