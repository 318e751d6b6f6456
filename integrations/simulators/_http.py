"""The base of HTTP simulators: a threaded server, knobs, an inspection API.

Knobs (constructor keywords, `set_knobs()`, or POST /_sim/knobs as JSON):
  latency         seconds added before every protocol answer
  error_code      the gateway's refusal code for sends (None: no refusals)
  error_rate      share of sends refused with error_code (seeded, so repeatable)
  outage          "" | "503" (every protocol call answers 503) |
                  "refuse" (the port is closed: connection refused; in-process only)
  callback_url    where delivery reports are POSTed ("" = none)
  callback_delay  seconds from acceptance to the final status and its report
  delivery        "delivered" | "failed": the final status of accepted messages
  seed            seeds the error draws and the message ids
Inspection: GET /_sim/messages, GET /_sim/callbacks, GET /_sim/knobs, POST /_sim/reset.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from dataclasses import asdict, dataclass, field, fields
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

import httpx

from integrations.simulators._threaded import serve_in_thread, shut_down

logger = logging.getLogger(__name__)

OUTAGES = ("", "503", "refuse")
DELIVERIES = ("delivered", "failed")


@dataclass
class Knobs:
    latency: float = 0.0
    error_code: int | None = None
    error_rate: float = 1.0
    outage: str = ""
    callback_url: str = ""
    callback_delay: float = 0.5
    delivery: str = "delivered"
    seed: int = 2026


@dataclass
class Answer:
    body: str | dict | list
    status: int = 200

    def encode(self) -> tuple[bytes, str]:
        if isinstance(self.body, str):
            return self.body.encode(), "text/plain; charset=utf-8"
        return json.dumps(self.body, ensure_ascii=False).encode(), "application/json"


@dataclass
class SimMessage:
    id: str
    phone: str
    text: str
    accepted_at: float
    status: str = "queued"  # queued | delivered | failed (the simulator's own words)
    extra: dict[str, str] = field(default_factory=dict)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class HttpSimulator:
    """Subclasses implement `handle()` and the callback hooks."""

    system: ClassVar[str] = ""
    # Seconds within which the same text to the same number is refused.
    duplicate_window: ClassVar[float] = 60.0
    # Reports are repeated (0.2 s, 0.4 s, 0.8 s, ... apart) until the site answers as expected.
    callback_attempts: ClassVar[int] = 6

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, **knobs: Any):
        self.host = host
        self.port = port
        self.knobs = Knobs()
        self._lock = threading.RLock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._timers: list[threading.Timer] = []
        self._stopped = threading.Event()
        self.reset()
        self.set_knobs(**knobs)

    # --- lifecycle ---------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def knobs_url(self) -> str:
        """Where `GET/POST /_sim/knobs` is served (the simulate command prints it)."""
        return f"{self.url}/_sim/knobs"

    def start(self) -> HttpSimulator:
        self._stopped.clear()
        if self.knobs.outage != "refuse":
            self._listen()
        return self

    def serve_forever(self) -> None:
        """Serve until `stop()` (the management command)."""
        self.start()
        self._stopped.wait()

    def stop(self) -> None:
        with self._lock:
            for timer in self._timers:
                timer.cancel()
            self._timers.clear()
        self._close()
        self._stopped.set()

    def __enter__(self) -> HttpSimulator:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _listen(self) -> None:
        if self._server is not None:
            return
        handler = type("Handler", (_Handler,), {"simulator": self})
        self._server = _Server((self.host, self.port), handler)
        self.port = self._server.server_address[1]
        self._thread = serve_in_thread(
            self._server, name=f"{self.system}-simulator", poll_interval=0.1
        )

    def _close(self) -> None:
        # The thread stays named: set_knobs reads it as "started" to listen again.
        server, self._server = self._server, None
        shut_down(server, self._thread)

    # --- knobs and state ---------------------------------------------------

    def set_knobs(self, **changes: Any) -> Knobs:
        names = {f.name for f in fields(Knobs)}
        unknown = set(changes) - names
        if unknown:
            raise ValueError(f"unknown knob(s) {sorted(unknown)}; known: {sorted(names)}")
        if changes.get("outage", self.knobs.outage) not in OUTAGES:
            raise ValueError(f"outage is one of {OUTAGES}")
        if changes.get("delivery", self.knobs.delivery) not in DELIVERIES:
            raise ValueError(f"delivery is one of {DELIVERIES}")
        with self._lock:
            was = self.knobs.outage
            for name, value in changes.items():
                setattr(self.knobs, name, value)
            if "seed" in changes:
                self._rng = random.Random(self.knobs.seed)  # noqa: S311 - repeatable draws, not secrets
        running = not self._stopped.is_set() and (self._thread is not None)
        if running and was != "refuse" and self.knobs.outage == "refuse":
            self._close()
        elif running and was == "refuse" and self.knobs.outage != "refuse":
            self._listen()
        return self.knobs

    def reset(self) -> None:
        with self._lock:
            self.messages: list[SimMessage] = []
            self.callbacks: list[dict[str, Any]] = []
            self._rng = random.Random(self.knobs.seed)  # noqa: S311 - repeatable draws, not secrets
            self._sequence = 0

    def next_sequence(self) -> int:
        with self._lock:
            self._sequence += 1
            return self._sequence

    def refuse_this_send(self) -> int | None:
        """The forced refusal code for this send, drawn from the seeded generator."""
        with self._lock:
            code = self.knobs.error_code
            if code is None:
                return None
            return code if self._rng.random() < self.knobs.error_rate else None

    def is_duplicate(self, phone: str, text: str) -> bool:
        now = time.monotonic()
        with self._lock:
            return any(
                m.phone == phone and m.text == text and now - m.accepted_at < self.duplicate_window
                for m in self.messages
            )

    def accept(self, message_id: str, phone: str, text: str, **extra: str) -> SimMessage:
        """Store an accepted message; its final status (and report) comes later."""
        message = SimMessage(
            id=message_id, phone=phone, text=text, accepted_at=time.monotonic(), extra=extra
        )
        with self._lock:
            self.messages.append(message)
            timer = threading.Timer(self.knobs.callback_delay, self._finish, args=(message,))
            timer.daemon = True
            self._timers.append(timer)
        timer.start()
        return message

    def find(self, message_id: str) -> SimMessage | None:
        with self._lock:
            return next((m for m in self.messages if m.id == message_id), None)

    def _finish(self, message: SimMessage) -> None:
        with self._lock:
            message.status = self.knobs.delivery
            url = self.knobs.callback_url
            delay = self.knobs.callback_delay
        if not url:
            return
        payload = self.callback_payload(message)
        for attempt in range(1, self.callback_attempts + 1):
            if self._stopped.is_set():
                return
            status, body = self._post_callback(url, payload)
            accepted = self.callback_accepted(status, body)
            with self._lock:
                self.callbacks.append(
                    {
                        "message_id": message.id,
                        "attempt": attempt,
                        "status": status,
                        "body": body[:200],
                        "accepted": accepted,
                        "payload": payload,
                    }
                )
            if accepted:
                return
            # Like the real gateways: repeat until the site answers as expected.
            self._stopped.wait(max(delay, 0.2) * 2 ** (attempt - 1))

    @staticmethod
    def _post_callback(url: str, payload: dict[str, str]) -> tuple[int, str]:
        try:
            response = httpx.post(url, data=payload, timeout=5.0)
        except httpx.HTTPError as error:
            return 0, f"{type(error).__name__}: {error}"
        return response.status_code, response.text

    # --- to implement ------------------------------------------------------

    def handle(self, method: str, path: str, params: dict[str, str]) -> Answer:
        raise NotImplementedError

    def callback_payload(self, message: SimMessage) -> dict[str, str]:
        raise NotImplementedError

    def callback_accepted(self, status: int, body: str) -> bool:
        return status == 200

    # --- the inspection API ------------------------------------------------

    def inspect(self, method: str, path: str, body: bytes) -> Answer:
        if path == "/_sim/messages" and method == "GET":
            with self._lock:
                return Answer([asdict(m) for m in self.messages])
        if path == "/_sim/callbacks" and method == "GET":
            with self._lock:
                return Answer(list(self.callbacks))
        if path == "/_sim/reset" and method == "POST":
            self.reset()
            return Answer({"ok": True})
        if path == "/_sim/knobs":
            if method == "POST":
                try:
                    changes = json.loads(body or b"{}")
                    if changes.get("outage") == "refuse":
                        raise ValueError("'refuse' could not be undone over HTTP")
                    self.set_knobs(**changes)
                except (ValueError, TypeError, AttributeError) as error:
                    return Answer({"error": str(error)}, status=400)
            return Answer(asdict(self.knobs))
        return Answer({"error": "not found"}, status=404)


class _Handler(BaseHTTPRequestHandler):
    simulator: ClassVar[HttpSimulator]
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        simulator = self.simulator
        if split.path.startswith("/_sim/"):
            answer = simulator.inspect(method, split.path, body)
        else:
            knobs = simulator.knobs
            if knobs.latency:
                time.sleep(knobs.latency)
            if knobs.outage == "503":
                answer = Answer("Service Unavailable", status=503)
            else:
                params = dict(parse_qsl(split.query, keep_blank_values=True))
                if body and "json" not in (self.headers.get("Content-Type") or ""):
                    params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
                try:
                    answer = simulator.handle(method, split.path, params)
                except Exception:  # noqa: BLE001 - a simulator bug must answer, not hang
                    logger.exception("%s simulator failed", simulator.system)
                    answer = Answer("Internal Server Error", status=500)
        payload, content_type = answer.encode()
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the latency knob): nothing to answer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - overrides the base
        logger.debug("%s simulator: " + format, self.simulator.system, *args)
