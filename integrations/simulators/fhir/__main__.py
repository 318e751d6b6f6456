"""Run the FHIR R4 simulator as a process: python -m integrations.simulators.fhir."""

from __future__ import annotations

from integrations.simulators._mis_http import run_as_process
from integrations.simulators.fhir.server import FhirSimulator


def main(argv: list[str] | None = None) -> None:
    run_as_process(
        FhirSimulator, argv, name="fhir", port=8095, options={"token": "fhir-demo-token"}
    )


if __name__ == "__main__":
    main()
