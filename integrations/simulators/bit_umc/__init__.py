"""The БИТ.Управление медицинским центром simulator (`/hs/bwi`): `serve(port, **knobs)`.

`manage.py simulate bit_umc --port N` or `python -m integrations.simulators.bit_umc
--port N` runs it as a process. Knobs: latency, error_rate, outage ("503" |
"refused"), time_zone, clock_skew, seed, doctors, key, user, password, strict,
lose_create_answers, reservation_minutes; see server.BitUmcSimulator.
"""

from __future__ import annotations

from integrations.simulators.bit_umc.server import ROOT, BitUmcSimulator

__all__ = ["ROOT", "BitUmcSimulator", "serve"]


def serve(port: int = 0, *, host: str = "127.0.0.1", **knobs: object) -> BitUmcSimulator:
    """Start the simulator on `port` (0: any free one) in a daemon thread; its
    operations are at `url + ROOT + "/<Op>"`."""
    return BitUmcSimulator(host=host, port=port, **knobs).start()
