"""The plumbing every simulator shares: a threaded HTTP server, its lifecycle, knobs.

A simulator subclasses `ThreadedSimulator`, names its knobs dataclass
(`knobs_class`, with at least `latency` and `outage`) and answers the
protocol in `respond()`. The base serves it in a daemon thread, applies the
outage and latency knobs before every protocol answer, and serves the
inspection API under /_sim/:
  GET  /_sim/knobs   the knobs
  POST /_sim/knobs   change them (JSON); not `fixed_knobs`, not outage "refused"
  POST /_sim/reset   the state it started with: its knobs, its data, nothing recorded
Outages: "" (none), "503" (every protocol call answers `unavailable`) or
"refused" (the listening socket is closed until the outage ends; in-process only).
"""

from __future__ import annotations

import email.utils
import json
import logging
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

OUTAGES = ("", "503", "refused")


@dataclass
class Reply:
    """One HTTP answer of a simulator."""

    status: int
    body: bytes
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(
        cls, payload: object, status: int = 200, content_type: str = "application/json"
    ) -> Reply:
        return cls(status, json.dumps(payload, ensure_ascii=False).encode(), content_type)


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


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that gave up (the latency knob) leaves a broken pipe: expected here.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    simulator: ClassVar[ThreadedSimulator]
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch("PUT")

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        simulator = self.simulator
        if method not in simulator.methods:
            self.send_error(501, f"Unsupported method ({method!r})")
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if urlsplit(self.path).path.startswith("/_sim/"):
            reply = simulator.inspect(method, urlsplit(self.path).path, body)
        else:
            knobs = simulator.knobs
            if knobs.outage == "refused":
                # A kept-alive connection outlives the closed socket: drop it too.
                self.close_connection = True
                return
            if knobs.outage == "503":
                reply = simulator.unavailable
            else:
                with simulator.answering():
                    if knobs.latency:
                        time.sleep(knobs.latency)
                    try:
                        # The headers as http.server parsed them: names case-insensitive.
                        reply = simulator.respond(method, self.path, self.headers, body)
                    except Exception:  # noqa: BLE001 - a simulator bug must answer, not hang
                        logger.exception("%s simulator failed", simulator.system)
                        reply = Reply(500, b"Internal Server Error")
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the latency knob): nothing to answer

    def date_time_string(self, timestamp: float | None = None) -> str:
        # The Date header shows the simulated server's own (possibly skewed) clock.
        moment = (timestamp or time.time()) + self.simulator.clock_offset()
        return email.utils.formatdate(moment, usegmt=True)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - overrides the base
        logger.debug("%s simulator: " + format, self.simulator.system, *args)


class ThreadedSimulator:
    """A simulator served in a daemon thread: `url`, `knobs`, `start()`, `stop()`, `reset()`."""

    system: ClassVar[str] = ""
    knobs_class: ClassVar[type]
    # Knobs that shape what is generated at start: not changed over HTTP.
    fixed_knobs: ClassVar[frozenset[str]] = frozenset()
    methods: ClassVar[tuple[str, ...]] = ("GET", "POST")
    # The protocol's endpoint below the server's root: `url` ends with it.
    path: ClassVar[str] = ""
    unavailable: ClassVar[Reply] = Reply(
        503, b"<html><body>503 Service Unavailable</body></html>", "text/html"
    )

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, **knobs: Any):
        self.host = host
        self.port = port
        self._lock = threading.RLock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()
        self._stopped.set()
        self.in_flight = 0  # protocol calls being answered now (a slow one may outlive its client)
        self.knobs = self.knobs_class()
        self._initial_knobs = dict(knobs)
        self.set_knobs(**knobs)

    # --- lifecycle ---------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}{self.path}"

    @property
    def knobs_url(self) -> str:
        """Where `GET/POST /_sim/knobs` is served (the simulate command prints it)."""
        return f"http://{self.host}:{self.port}/_sim/knobs"

    def start(self) -> Self:
        self._stopped.clear()
        if self.knobs.outage != "refused":
            self._listen()
        return self

    def serve_forever(self) -> None:
        """Serve until `stop()` (the management command, `python -m`)."""
        self.start()
        self._stopped.wait()

    def stop(self) -> None:
        self._close()
        self._stopped.set()

    def close(self) -> None:
        """Stop and forget what the simulator keeps on disk."""
        self.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _listen(self) -> None:
        if self._server is not None:
            return
        handler = type("Handler", (_Handler,), {"simulator": self})
        self._server = _Server((self.host, self.port), handler)
        self.port = self._server.server_address[1]
        self._thread = serve_in_thread(self._server, name=f"{self.system}-sim-{self.port}")

    def _close(self) -> None:
        server, self._server = self._server, None
        shut_down(server, self._thread)
        self._thread = None

    # --- knobs and state ---------------------------------------------------

    def set_knobs(self, **changes: Any) -> Any:
        names = {f.name for f in fields(self.knobs_class)}
        unknown = set(changes) - names
        if unknown:
            raise ValueError(f"unknown knob(s) {sorted(unknown)}; known: {sorted(names)}")
        if "outage" in changes:
            changes["outage"] = changes["outage"] or ""
            if changes["outage"] not in OUTAGES:
                raise ValueError(f"outage is one of {OUTAGES}")
        self.check_knobs(changes)
        with self._lock:
            was = self.knobs.outage
            for name, value in changes.items():
                setattr(self.knobs, name, value)
        self._follow_outage(was)
        return self.knobs

    def set_outage(self, outage: str | None) -> None:
        """ "" or None (none), "503" (answers Service Unavailable) or "refused" (nobody listens)."""
        self.set_knobs(outage=outage)

    def check_knobs(self, changes: dict[str, Any]) -> None:
        """Refuse values this simulator cannot take (ValueError)."""

    def reset(self) -> None:
        """The state the simulator started with: its knobs as constructed, nothing recorded."""
        fresh = self.knobs_class(**self._initial_knobs)
        with self._lock:
            was = self.knobs.outage
            for knob in fields(self.knobs_class):
                setattr(self.knobs, knob.name, getattr(fresh, knob.name))
        self._follow_outage(was)

    def _follow_outage(self, was: str) -> None:
        running = not self._stopped.is_set()
        if running and was != "refused" and self.knobs.outage == "refused":
            self._close()
        elif running and self.knobs.outage != "refused":
            self._listen()

    @contextmanager
    def answering(self) -> Iterator[None]:
        """Count a protocol call as in flight while it is answered."""
        with self._lock:
            self.in_flight += 1
        try:
            yield
        finally:
            with self._lock:
                self.in_flight -= 1

    def clock_offset(self) -> float:
        """Seconds the simulated server's clock is ahead (its Date header)."""
        return 0.0

    # --- HTTP ----------------------------------------------------------------

    def respond(self, method: str, path: str, headers: Message, body: bytes) -> Reply:
        """The protocol's answer to one request (`path` with its query)."""
        raise NotImplementedError

    def inspect(self, method: str, path: str, body: bytes) -> Reply:
        """The inspection API (/_sim/...); subclasses add their own paths."""
        if path == "/_sim/reset" and method == "POST":
            self.reset()
            return Reply.json({"ok": True})
        if path == "/_sim/knobs":
            if method == "POST":
                try:
                    changes = json.loads(body or b"{}")
                    if not isinstance(changes, dict):
                        raise ValueError("knobs are a JSON object")
                    shown = self._shown_knobs()
                    if set(changes) - set(shown) or set(changes) & self.fixed_knobs:
                        changeable = sorted(set(shown) - self.fixed_knobs)
                        raise ValueError(f"knobs are {changeable}")
                    if changes.get("outage") == "refused":
                        raise ValueError("'refused' could not be undone over HTTP")
                    self.set_knobs(**changes)
                except (ValueError, TypeError, KeyError) as error:
                    return Reply.json({"error": str(error)}, status=400)
            return Reply.json(self._shown_knobs())
        return Reply.json({"error": "not found"}, status=404)

    def _shown_knobs(self) -> dict[str, Any]:
        return {f.name: getattr(self.knobs, f.name) for f in fields(self.knobs) if f.repr}
