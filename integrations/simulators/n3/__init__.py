"""The N3.Здоровье simulator: `serve(port, **knobs)` runs it in a thread.

`manage.py simulate n3 --port N` (or `python -m integrations.simulators.n3`)
runs it as a process. Knobs: latency, error_rate, outage ("503" | "refused"),
time_zone, clock_skew, guid, seed, doctors; see server.Knobs.
"""

from __future__ import annotations

from integrations.simulators.n3.server import FHIR_PATH, PATH, Knobs, N3Simulator

__all__ = ["FHIR_PATH", "PATH", "Knobs", "N3Simulator", "serve"]


def serve(port: int = 0, *, host: str = "127.0.0.1", **knobs: object) -> N3Simulator:
    """Start the hub on `port` (0: any free one) in a daemon thread."""
    return N3Simulator(host=host, port=port, **knobs).start()
