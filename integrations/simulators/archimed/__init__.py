"""The Архимед (Archimed+) simulator: its API v5 (`serve(port, **knobs)`).

`manage.py simulate archimed --port N` or `python -m
integrations.simulators.archimed --port N` runs it as a process. Knobs:
latency, error_rate, outage ("503" | "refused"), time_zone, clock_skew, seed,
doctors, api_id, api_secret, strict, lose_talon_answers; see
server.ArchimedSimulator.
"""

from __future__ import annotations

from integrations.simulators.archimed.server import ROOT, ArchimedSimulator

__all__ = ["ROOT", "ArchimedSimulator", "serve"]


def serve(port: int = 0, *, host: str = "127.0.0.1", **knobs: object) -> ArchimedSimulator:
    """Start the simulator on `port` (0: any free one) in a daemon thread;
    its API is at `url + ROOT`."""
    return ArchimedSimulator(host=host, port=port, **knobs).start()
