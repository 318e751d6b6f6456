"""The МЕДИАЛОГ simulator: `serve(port, **knobs)` runs it in a thread.

`python -m integrations.simulators.medialog --port N` runs it as a process.
Knobs: latency, error_rate, outage ("503" | "refused"), time_zone, clock_skew,
encoding, user, password, seed; see server.Knobs.
"""

from __future__ import annotations

from integrations.simulators.medialog.server import PATH, Knobs, MedialogSimulator

__all__ = ["PATH", "Knobs", "MedialogSimulator", "serve"]


def serve(port: int = 0, *, host: str = "127.0.0.1", **knobs: object) -> MedialogSimulator:
    """Start the simulator on `port` (0: any free one) in a daemon thread.

    The result's `url` is the SOAP endpoint (its WSDL at `url + "?wsdl"`);
    stop it with `stop()` or use it as a context manager.
    """
    return MedialogSimulator(host=host, port=port, **knobs).start()
