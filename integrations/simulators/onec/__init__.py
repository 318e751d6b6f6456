"""The 1С:Медицина simulator: its HTTP service (`serve(port, **knobs)`) and the
CommerceML client role that pushes the clinic's price list to the site.

`manage.py simulate onec --port N` or `python -m integrations.simulators.onec
--port N` runs the HTTP service as a process; `manage.py onec_push_prices
--url ...` plays 1C pushing the price list. Knobs: latency, error_rate,
outage ("503" | "refused"), time_zone, clock_skew, seed, doctors, user,
password; see server.OnecSimulator.
"""

from __future__ import annotations

from integrations.simulators.onec.server import ROOT, OnecSimulator

__all__ = ["ROOT", "OnecSimulator", "serve"]


def serve(port: int = 0, *, host: str = "127.0.0.1", **knobs: object) -> OnecSimulator:
    """Start the simulator on `port` (0: any free one) in a daemon thread;
    its service is at `url + ROOT`."""
    return OnecSimulator(host=host, port=port, **knobs).start()
