"""The Renovatio (МИС «Реновация») simulator: `serve(port, **knobs)` runs it in a thread.

`manage.py simulate renovatio --port N` or `python -m
integrations.simulators.renovatio --port N` runs it as a process. Knobs:
latency, error_rate, outage ("503" | "refused"), time_zone, clock_skew, seed,
doctors, api_key, strict, lose_create_answers; see server.RenovatioSimulator.
"""

from __future__ import annotations

from integrations.simulators.renovatio.server import API_PATH, RenovatioSimulator

__all__ = ["API_PATH", "RenovatioSimulator", "serve"]


def serve(port: int = 0, *, host: str = "127.0.0.1", **knobs: object) -> RenovatioSimulator:
    """Start the simulator on `port` (0: any free one) in a daemon thread;
    its methods are at `url + "/<method>"`."""
    return RenovatioSimulator(host=host, port=port, **knobs).start()
