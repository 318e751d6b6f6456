"""The Инфоклиника simulator: `serve(port, **knobs)` runs it in a thread.

`manage.py simulate infoclinica --port N` or `python -m
integrations.simulators.infoclinica --port N` runs it as a process. Knobs:
latency, error_rate, outage ("503" | "refused"), time_zone, clock_skew, seed,
doctors, client_id, client_key, token_ttl; see server.InfoclinicaSimulator.
"""

from __future__ import annotations

from integrations.simulators.infoclinica.server import (
    API_PATH,
    NS,
    TOKEN_PATH,
    InfoclinicaSimulator,
    secret_for,
)

__all__ = ["API_PATH", "NS", "TOKEN_PATH", "InfoclinicaSimulator", "secret_for", "serve"]


def serve(port: int = 0, *, host: str = "127.0.0.1", **knobs: object) -> InfoclinicaSimulator:
    """Start the simulator on `port` (0: any free one) in a daemon thread."""
    return InfoclinicaSimulator(host=host, port=port, **knobs).start()
