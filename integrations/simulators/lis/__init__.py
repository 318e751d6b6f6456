"""The LIS simulator: a lab that serves its reports for polling and pushes signed webhooks.

`serve(port, **knobs)` runs it in a thread (tests); `manage.py simulate lis
--port N [--callback-url URL --callback-delay S]` runs it as a process that
publishes a new report every S seconds and pushes it to URL.
"""

from __future__ import annotations

from integrations.simulators.lis.server import LisKnobs, LisSimulator, Push

__all__ = ["LisKnobs", "LisSimulator", "Push", "serve"]


def serve(port: int = 0, *, host: str = "127.0.0.1", **options: object) -> LisSimulator:
    """Start the simulator on `port` (0: any free one); stop it with `stop()`."""
    return LisSimulator(host=host, port=port, **options).start()  # type: ignore[arg-type]
