"""The base of HTTP MIS simulators: the demo clinic behind a threaded server, with knobs.

Инфоклиника and 1С:Медицина subclass `MisHttpSimulator` and implement
`respond()`; the base serves it, applies the knobs and keeps the patients the
protocol adds. Knobs (constructor keywords, attributes of `knobs`, or
`GET/POST /_sim/knobs` as JSON on a running process): latency, error_rate,
outage ("" | "503" | "refused"; "refused" only in-process), time_zone (the
MIS server's wall clock), clock_skew (seconds the MIS's clock is ahead), seed,
doctors (size of the clinic, benches; None: the demo's 44; set at start only).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
import threading
import time as clock
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from zoneinfo import ZoneInfo

from integrations.mis.demo import BRANCHES, MIS_TIME_ZONE, DemoMis
from integrations.mis.demo_patients import PATIENTS
from integrations.mis.matching import matching
from integrations.ports import BookingRequest, MisAppointment, Patient
from integrations.simulators._threaded import serve_in_thread, shut_down


@dataclass
class MisKnobs:
    latency: float = 0.0  # seconds added before every protocol answer
    error_rate: float = 0.0  # share of protocol calls answered with HTTP 500
    outage: str = ""  # "" | "503" | "refused"
    time_zone: str = MIS_TIME_ZONE  # the MIS server's wall clock
    clock_skew: float = 0.0  # seconds the MIS's clock is ahead (negative: behind)
    seed: int = 2026
    doctors: int | None = None  # size of the clinic (benches); None: the demo's 44
    error_rng: random.Random = field(default_factory=lambda: random.Random(0), repr=False)  # noqa: S311


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str = "application/xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


class _SkewedMis(DemoMis):
    """The demo MIS whose "today" follows the simulator's (possibly skewed) clock."""

    def __init__(self, *, knobs: MisKnobs, **kwargs):
        super().__init__(**kwargs)
        self._knobs = knobs

    def today(self) -> date:
        if self._today:
            return self._today
        return (datetime.now(self._tz) + timedelta(seconds=self._knobs.clock_skew)).date()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    simulator: ClassVar[MisHttpSimulator]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        simulator = self.simulator
        knobs = simulator.knobs
        if self.path.split("?")[0] == "/_sim/knobs":
            self._answer(simulator.knobs_endpoint(method, body))
            return
        if knobs.outage == "refused":
            # A kept-alive connection outlives the closed socket: drop it too.
            self.close_connection = True
            return
        if knobs.outage == "503":
            reply = Reply(503, b"<html><body>503 Service Unavailable</body></html>", "text/html")
        else:
            if knobs.latency:
                clock.sleep(knobs.latency)
            if knobs.error_rate and knobs.error_rng.random() < knobs.error_rate:
                reply = Reply(500, b"simulated internal error", "text/plain")
            else:
                reply = simulator.respond(method, self.path, dict(self.headers.items()), body)
        self._answer(reply)

    def _answer(self, reply: Reply) -> None:
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the latency knob)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class MisHttpSimulator:
    """A running MIS simulator: `url`, `knobs`, `mis` (the DemoMis behind it), `stop()`.

    `take_by_phone()` books time at the front desk, bypassing the protocol;
    `set_outage("refused")` closes the listening socket until `set_outage("")`.
    """

    system: ClassVar[str] = ""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        store: Path | str | None = None,
        today: date | None = None,
        **knobs: object,
    ):
        if knobs.get("outage") is None:
            knobs.pop("outage", None)
        self.knobs = MisKnobs(**knobs)  # type: ignore[arg-type]
        self._tmp = None
        if store is None:
            # Requests arrive on many threads: the appointment book must be a file.
            self._tmp = tempfile.TemporaryDirectory(prefix=f"{self.system}-sim-")
            store = Path(self._tmp.name) / "mis.sqlite3"
        self.mis = _SkewedMis(
            knobs=self.knobs,
            seed=self.knobs.seed,
            store=store,
            today=today,
            doctors=self.knobs.doctors,
        )
        self.patients: dict[str, Patient] = {p.external_id: p for p in PATIENTS}
        self.lock = threading.Lock()
        self.host = host
        self.port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()

    # --- lifecycle ---------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def knobs_url(self) -> str:
        """Where `GET/POST /_sim/knobs` is served (the simulate command prints it)."""
        return f"{self.url}/_sim/knobs"

    def start(self) -> MisHttpSimulator:
        self._stopped.clear()
        if self.knobs.outage != "refused":
            self._listen()
        return self

    def serve_forever(self) -> None:
        """Serve until `stop()` (the management command)."""
        if self._server is None:
            self.start()
        self._stopped.wait()

    def stop(self) -> None:
        self._close()
        self._stopped.set()

    def close(self) -> None:
        self.stop()
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> MisHttpSimulator:
        return self if self._server else self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _listen(self) -> None:
        if self._server is not None:
            return
        handler = type("Handler", (_Handler,), {"simulator": self})
        self._server = _Server((self.host, self.port), handler)
        self.port = self._server.server_address[1]
        self._thread = serve_in_thread(
            self._server, name=f"{self.system}-sim-{self.port}", poll_interval=0.05
        )

    def _close(self) -> None:
        server, self._server = self._server, None
        shut_down(server, self._thread)
        self._thread = None

    # --- knobs -------------------------------------------------------------

    def set_outage(self, outage: str | None) -> None:
        """ "" (none), "503" (answers Service Unavailable) or "refused" (nobody listens)."""
        outage = outage or ""
        if outage not in ("", "503", "refused"):
            raise ValueError(f"unknown outage {outage!r}")
        self.knobs.outage = outage
        if outage == "refused":
            self._close()
        elif not self._stopped.is_set():
            self._listen()

    def take_by_phone(self, *, doctor_id: str, start: datetime, end: datetime) -> None:
        self.mis.book_by_phone(doctor_id=doctor_id, start=start, end=end)

    def knobs_endpoint(self, method: str, body: bytes) -> Reply:
        """GET /_sim/knobs shows the knobs; POST changes them (JSON)."""
        # The seed and the clinic's size shape the data generated at start.
        names = {f.name for f in fields(MisKnobs)} - {"error_rng", "seed", "doctors"}
        if method == "POST":
            try:
                changes = json.loads(body or b"{}")
                if not isinstance(changes, dict) or set(changes) - names:
                    raise ValueError(f"knobs are {sorted(names)}")
                if changes.get("outage", "") not in ("", "503"):
                    raise ValueError("outage over HTTP is '' or '503'")
                ZoneInfo(changes.get("time_zone", self.knobs.time_zone))
            except (ValueError, KeyError) as error:
                payload = json.dumps({"error": str(error)}).encode()
                return Reply(400, payload, "application/json")
            for name, value in changes.items():
                setattr(self.knobs, name, value)
        shown = {name: getattr(self.knobs, name) for name in sorted(names)}
        return Reply(200, json.dumps(shown).encode(), "application/json")

    # --- helpers for the protocols ----------------------------------------------

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.knobs.time_zone)

    def now(self) -> datetime:
        """The MIS's own wall clock, skew included, without an offset."""
        moment = datetime.now(self.zone) + timedelta(seconds=self.knobs.clock_skew)
        return moment.replace(tzinfo=None, microsecond=0)

    def find_patients(self, *, phone: str, birth_date: date | None, last_name: str) -> list:
        with self.lock:
            known = list(self.patients.values())
        return matching(known, phone=phone, birth_date=birth_date, last_name=last_name)

    def add_patient(self, patient: Patient) -> Patient:
        """Find the patient by name and phone, or register them: the MIS's id."""
        key = f"{patient.last_name.casefold()}|{patient.first_name.casefold()}|{patient.phone}"
        patient_id = "pt-" + hashlib.sha256(key.encode()).hexdigest()[:12]
        with self.lock:
            for known in self.patients.values():
                if (
                    known.phone == patient.phone
                    and known.last_name.casefold() == patient.last_name.casefold()
                    and known.first_name.casefold() == patient.first_name.casefold()
                ):
                    return known
            stored = Patient(**{**patient.__dict__, "external_id": patient_id})
            self.patients[patient_id] = stored
        return stored

    def book(self, request: BookingRequest, *, lunch_is_open: bool) -> MisAppointment:
        """Book in the demo MIS; `lunch_is_open`: this MIS lets visits into breaks."""
        if not lunch_is_open:
            return self.mis.book(request)
        day = request.start.astimezone(ZoneInfo(MIS_TIME_ZONE)).date()
        schedule = self.mis.schedule(start=day - timedelta(days=1), end=day + timedelta(days=1))
        inside = any(
            w.doctor_id == request.doctor_id and w.start <= request.start and request.end <= w.end
            for w in schedule.work
        )
        generated = [b for b in schedule.busy if b.doctor_id == request.doctor_id]
        clash = any(b.start < request.end and request.start < b.end for b in generated)
        # The appointment book itself refuses overlaps with stored visits.
        return self.mis._store.book(request, free=inside and not clash)  # noqa: SLF001


def run_as_process(
    simulator_class: type[MisHttpSimulator],
    argv: list[str] | None,
    *,
    name: str,
    port: int,
    credentials: dict[str, str],
) -> None:
    """`python -m integrations.simulators.<system>`: parse the flags, serve until Ctrl-C.

    `credentials` are the simulator's login keywords and their defaults
    (e.g. {"user": "site", "password": "onec"}); each becomes a flag."""
    parser = argparse.ArgumentParser(prog=f"python -m integrations.simulators.{name}")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--store", help="SQLite file of the MIS's appointment book")
    parser.add_argument("--seed", type=int, default=MisKnobs.seed)
    for keyword, default in credentials.items():
        parser.add_argument(f"--{keyword.replace('_', '-')}", default=default)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per call")
    parser.add_argument("--error-rate", type=float, default=0.0, help="0..1 of calls fail")
    parser.add_argument("--outage", choices=("503",), help="answer every call with 503")
    parser.add_argument("--time-zone", default=MIS_TIME_ZONE, help="the MIS's wall clock")
    parser.add_argument("--clock-skew", type=float, default=0.0, help="seconds ahead")
    parser.add_argument("--doctors", type=int, help="size of the clinic (default: the demo's 44)")
    args = vars(parser.parse_args(argv))
    simulator = simulator_class(**args)
    sys.stdout.write(f"{name} simulator at {simulator.url} (knobs: {simulator.knobs_url})\n")
    sys.stdout.flush()
    try:
        simulator.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        simulator.close()


def free_times(
    mis: DemoMis,
    *,
    doctor_id: str,
    service_id: str,
    first: date,
    last: date,
    day_of,
    grid_minutes: int | None,
    buffer_minutes: int,
    breaks_block: bool,
) -> list[tuple[datetime, datetime, str]]:
    """A MIS's own free times of a doctor for a service: (start, end, branch).

    Starts step from the start of each shift (by the grid, or by the
    service's length); a start is free when the visit overlaps no visit
    widened by the buffer and, where the MIS closes them, no break. `day_of`
    gives the date a start counts on (the MIS's clock or the branch's)."""
    service = next((s for s in mis.services() if s.external_id == service_id), None)
    if service is None:
        raise ValueError(f"unknown service {service_id}")
    length = timedelta(minutes=service.duration_minutes)
    step = timedelta(minutes=grid_minutes) if grid_minutes else length
    buffer = timedelta(minutes=buffer_minutes)
    schedule = mis.schedule(start=first - timedelta(days=1), end=last + timedelta(days=1))
    visits = [b for b in schedule.busy if b.doctor_id == doctor_id]
    breaks = [b for b in schedule.breaks if b.doctor_id == doctor_id] if breaks_block else []
    answer = []
    shifts = sorted((w for w in schedule.work if w.doctor_id == doctor_id), key=lambda w: w.start)
    for shift in shifts:
        start = shift.start
        while start + length <= shift.end:
            end = start + length
            taken = any(v.start - buffer < end and start < v.end + buffer for v in visits)
            closed = any(b.start < end and start < b.end for b in breaks)
            if first <= day_of(start, shift.branch_id) <= last and not (taken or closed):
                answer.append((start, end, shift.branch_id))
            start += step
    return answer


def branch_zone(branch_id: str, default: str) -> ZoneInfo:
    """The wall-clock zone of a demo branch (the server's own for "")."""
    for branch in BRANCHES:
        if branch.external_id == branch_id:
            return ZoneInfo(branch.time_zone)
    return ZoneInfo(default)
