"""Run the БИТ.УМЦ simulator as a process: python -m integrations.simulators.bit_umc."""

from __future__ import annotations

from integrations.simulators._mis_http import run_as_process
from integrations.simulators.bit_umc.server import DEMO_KEY, BitUmcSimulator


def main(argv: list[str] | None = None) -> None:
    run_as_process(BitUmcSimulator, argv, name="bit_umc", port=8100, options={"key": DEMO_KEY})


if __name__ == "__main__":
    main()
