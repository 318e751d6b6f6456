"""The running life of a simulator: serve in a thread, stop, go down, come back.

The МЕДИАЛОГ, N3 and FHIR simulators share it. A subclass sets `self.host`,
`self.port`, `self.knobs` (with an `outage` field), `self._server`,
`self._thread = None` and a `service` with a `mis`, and says how to build its
server again (`_new_server()`) after an outage closed the socket.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any, Self


def serve_in_thread(server: Any, *, name: str, poll_interval: float = 0.05) -> threading.Thread:
    """Start serving `server` (a socketserver) in a daemon thread."""
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": poll_interval},
        name=name,
        daemon=True,
    )
    thread.start()
    return thread


def shut_down(server: Any, thread: threading.Thread | None) -> None:
    """Stop a server started by serve_in_thread (or never started) and close its socket."""
    if server is None:
        return
    if thread is not None:
        server.shutdown()
        thread.join(timeout=5)
    server.server_close()


class ThreadedSimulator:
    name = "sim"
    host: str
    port: int
    knobs: Any
    service: Any
    _server: Any
    _thread: threading.Thread | None

    def _new_server(self) -> Any:
        raise NotImplementedError

    @property
    def mis(self) -> Any:
        """The demo MIS behind the protocol: the simulated clinic's own data."""
        return self.service.mis

    def start(self) -> Self:
        if self._server is None:
            self._server = self._new_server()
        self._thread = serve_in_thread(self._server, name=f"{self.name}-sim-{self.port}")
        return self

    def serve_forever(self) -> None:
        """Serve until `stop()`: in the serving thread once started, else in this one."""
        if self._thread is not None:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(0.5)
        elif self._server is not None:
            self._server.serve_forever()

    def stop(self) -> None:
        shut_down(self._server, self._thread)
        self._server = None
        self._thread = None

    def set_outage(self, outage: str | None) -> None:
        """None, "503" (answers Service Unavailable) or "refused" (nobody listens)."""
        if outage not in (None, "503", "refused"):
            raise ValueError(f"unknown outage {outage!r}")
        self.knobs.outage = outage
        if outage == "refused":
            self.stop()
        elif self._server is None:
            self.start()

    def take_by_phone(self, *, doctor_id: str, start: datetime, end: datetime) -> None:
        """The front desk books the time, bypassing the protocol."""
        self.mis.book_by_phone(doctor_id=doctor_id, start=start, end=end)

    def __enter__(self) -> Self:
        return self if self._thread else self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        if getattr(self, "_tmp", None) is not None:
            self._tmp.cleanup()
