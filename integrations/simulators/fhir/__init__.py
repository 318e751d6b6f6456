"""The FHIR R4 simulator: `serve(port, **knobs)` runs it in a thread.

`manage.py simulate fhir --port N` (or `python -m integrations.simulators.fhir`)
runs it as a process. Knobs: latency, error_rate, outage ("503" | "refused"),
time_zone, clock_skew, token, seed, doctors, and the variety of real servers:
minimal, ignore_prefer, chained_search, etags, tentative_every,
duplicated_keys, strict; see server.Knobs.
"""

from __future__ import annotations

from integrations.simulators.fhir.server import BASE_PATH, FhirSimulator, Knobs

__all__ = ["BASE_PATH", "FhirSimulator", "Knobs", "serve"]


def serve(port: int = 0, *, host: str = "127.0.0.1", **knobs: object) -> FhirSimulator:
    """Start the simulator on `port` (0: any free one) in a daemon thread; `url` is its base."""
    return FhirSimulator(host=host, port=port, **knobs).start()
