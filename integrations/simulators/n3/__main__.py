"""Run the N3.Здоровье simulator as a process: python -m integrations.simulators.n3."""

from __future__ import annotations

from integrations.simulators._mis_http import run_as_process
from integrations.simulators.n3.server import Knobs, N3Simulator


def main(argv: list[str] | None = None) -> None:
    run_as_process(N3Simulator, argv, name="n3", port=8096, options={"guid": Knobs.guid})


if __name__ == "__main__":
    main()
