"""Run the Инфоклиника simulator as a process: python -m integrations.simulators.infoclinica."""

from __future__ import annotations

from integrations.simulators._mis_http import run_as_process
from integrations.simulators.infoclinica.server import InfoclinicaSimulator


def main(argv: list[str] | None = None) -> None:
    run_as_process(
        InfoclinicaSimulator,
        argv,
        name="infoclinica",
        port=8093,
        options={"client_id": "site", "client_key": "infoclinica"},
    )


if __name__ == "__main__":
    main()
