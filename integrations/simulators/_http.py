"""The base of the SMS gateways' (and the Telegram Bot API's) simulators.

Knobs (constructor keywords, `set_knobs()`, or POST /_sim/knobs as JSON):
  latency         seconds added before every protocol answer
  error_code      the gateway's refusal code for sends (None: no refusals)
  error_rate      share of sends refused with error_code (seeded, so repeatable)
  outage          "" | "503" (every protocol call answers 503) |
                  "refused" (the port is closed: connection refused; in-process only)
  callback_url    where delivery reports are POSTed ("" = none)
  callback_delay  seconds from acceptance to the final status and its report
  delivery        "delivered" | "failed": the final status of accepted messages
  seed            seeds the error draws and the message ids
Inspection: GET /_sim/messages, GET /_sim/callbacks, GET/POST /_sim/knobs, POST /_sim/reset.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import asdict, dataclass, field
from email.message import Message
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

import httpx

from integrations.simulators._threaded import Reply, ThreadedSimulator

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

    def reply(self) -> Reply:
        if isinstance(self.body, str):
            return Reply(self.status, self.body.encode(), "text/plain; charset=utf-8")
        return Reply.json(self.body, self.status)


@dataclass
class SimMessage:
    id: str
    phone: str
    text: str
    accepted_at: float
    status: str = "queued"  # queued | delivered | failed (the simulator's own words)
    extra: dict[str, str] = field(default_factory=dict)


class HttpSimulator(ThreadedSimulator):
    """Subclasses implement `handle()` and the callback hooks."""

    knobs_class = Knobs
    unavailable = Reply(503, b"Service Unavailable")
    # Seconds within which the same text to the same number is refused.
    duplicate_window: ClassVar[float] = 60.0
    # Reports are repeated (0.2 s, 0.4 s, 0.8 s, ... apart) until the site answers as expected.
    callback_attempts: ClassVar[int] = 6

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, **knobs: Any):
        self._timers: list[threading.Timer] = []
        super().__init__(host=host, port=port, **knobs)
        self.reset()

    def stop(self) -> None:
        with self._lock:
            for timer in self._timers:
                timer.cancel()
            self._timers.clear()
        super().stop()

    # --- knobs and state ---------------------------------------------------

    def check_knobs(self, changes: dict[str, Any]) -> None:
        if changes.get("delivery", self.knobs.delivery) not in DELIVERIES:
            raise ValueError(f"delivery is one of {DELIVERIES}")

    def set_knobs(self, **changes: Any) -> Knobs:
        knobs = super().set_knobs(**changes)
        if "seed" in changes:
            with self._lock:
                self._rng = random.Random(knobs.seed)  # noqa: S311 - repeatable draws, not secrets
        return knobs

    def reset(self) -> None:
        super().reset()
        with self._lock:
            for timer in self._timers:
                timer.cancel()
            self._timers.clear()
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

    # --- HTTP ----------------------------------------------------------------

    def respond(self, method: str, path: str, headers: Message, body: bytes) -> Reply:
        split = urlsplit(path)
        params = dict(parse_qsl(split.query, keep_blank_values=True))
        if body and "json" not in (headers.get("Content-Type") or ""):
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        return self.handle(method, split.path, params).reply()

    def inspect(self, method: str, path: str, body: bytes) -> Reply:
        if path == "/_sim/messages" and method == "GET":
            with self._lock:
                return Reply.json([asdict(m) for m in self.messages])
        if path == "/_sim/callbacks" and method == "GET":
            with self._lock:
                return Reply.json(list(self.callbacks))
        return super().inspect(method, path, body)
