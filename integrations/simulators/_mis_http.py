"""The base of every MIS simulator: the demo clinic behind a threaded server, with knobs.

МЕДИАЛОГ, Инфоклиника, 1С:Медицина, FHIR and N3.Здоровье subclass
`MisHttpSimulator` and implement `respond()`; the base (with
`ThreadedSimulator`) serves it, applies the knobs, keeps the appointment
book and the patients the protocol adds, and `reset()` brings back the
reference clinic. Knobs (`MisKnobs` and a system's own; constructor
keywords, attributes of `knobs`, or `GET/POST /_sim/knobs` as JSON on a
running process): latency, error_rate, outage ("" | "503" | "refused";
"refused" only in-process), time_zone (the MIS server's wall clock),
clock_skew (seconds the MIS's clock is ahead), seed, doctors (size of the
clinic, benches; None: the demo's 44; both set at start only).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import Message
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from integrations.mis.demo import BRANCHES, MIS_TIME_ZONE, DemoMis
from integrations.mis.demo_patients import PATIENTS
from integrations.mis.matching import matching
from integrations.ports import BookingRequest, MisAppointment, Patient
from integrations.simulators._threaded import Reply, ThreadedSimulator


@dataclass
class MisKnobs:
    latency: float = 0.0  # seconds added before every protocol answer
    error_rate: float = 0.0  # share of protocol calls answered as the MIS's internal error
    outage: str = ""  # "" | "503" | "refused"
    time_zone: str = MIS_TIME_ZONE  # the MIS server's wall clock
    clock_skew: float = 0.0  # seconds the MIS's clock is ahead (negative: behind)
    seed: int = 2026
    doctors: int | None = None  # size of the clinic (benches); None: the demo's 44
    # The next N bookings are stored, then their answer is lost (the 504 of the
    # gateway in front of the MIS): the adapter must find them again, never book twice.
    lose_create_answers: int = 0
    error_rng: random.Random = field(default_factory=lambda: random.Random(0), repr=False)  # noqa: S311


class SkewedMis(DemoMis):
    """The demo MIS whose "today" follows the simulator's (possibly skewed) clock."""

    def __init__(self, *, knobs: MisKnobs, **kwargs):
        super().__init__(**kwargs)
        self._knobs = knobs

    def today(self) -> date:
        if self._today:
            return self._today
        return (datetime.now(self._tz) + timedelta(seconds=self._knobs.clock_skew)).date()


class MisHttpSimulator(ThreadedSimulator):
    """A running MIS simulator: `url`, `knobs`, `mis` (the DemoMis behind it), `stop()`.

    `take_by_phone()` books time at the front desk, bypassing the protocol;
    `set_outage("refused")` closes the listening socket until `set_outage("")`;
    `reset()` is the reference clinic again: an empty appointment book, no
    patient added, the knobs as constructed.
    """

    knobs_class: ClassVar[type[MisKnobs]] = MisKnobs
    fixed_knobs = frozenset({"seed", "doctors"})
    methods = ("GET", "POST", "PUT", "DELETE")
    # The answer to a call error_rate fails; None: the protocol answers it itself.
    error_reply: ClassVar[Reply | None] = Reply(500, b"simulated internal error")
    lost_answer: ClassVar[Reply] = Reply(
        504, b"<html><body>504 Gateway Time-out</body></html>", "text/html"
    )

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        store: Path | str | None = None,
        today: date | None = None,
        **knobs: object,
    ):
        super().__init__(host=host, port=port, **knobs)
        self._tmp = None
        if store is None:
            # Requests arrive on many threads: the appointment book must be a file.
            self._tmp = tempfile.TemporaryDirectory(prefix=f"{self.system}-sim-")
            store = Path(self._tmp.name) / "mis.sqlite3"
        self.store = Path(store)
        self._today = today
        self._build()

    def _build(self) -> None:
        """The simulated clinic: the demo MIS on the store, the patients it knows."""
        self.mis = SkewedMis(
            knobs=self.knobs,
            seed=self.knobs.seed,
            store=self.store,
            today=self._today,
            doctors=self.knobs.doctors,
        )
        self.patients: dict[str, Patient] = {p.external_id: p for p in PATIENTS}

    def reset(self) -> None:
        super().reset()
        with self._lock:
            for leftover in (self.store, *self.store.parent.glob(self.store.name + "-*")):
                leftover.unlink(missing_ok=True)
            self._build()

    def close(self) -> None:
        self.stop()
        if self._tmp is not None:
            self._tmp.cleanup()

    def check_knobs(self, changes: dict[str, Any]) -> None:
        ZoneInfo(changes.get("time_zone", self.knobs.time_zone))

    def clock_offset(self) -> float:
        return self.knobs.clock_skew

    @property
    def lock(self):
        return self._lock

    def take_by_phone(self, *, doctor_id: str, start: datetime, end: datetime) -> None:
        """The front desk books the time, bypassing the protocol."""
        self.mis.book_by_phone(doctor_id=doctor_id, start=start, end=end)

    def failing(self) -> bool:
        """Whether this call is one the error_rate knob fails (seeded draws)."""
        knobs = self.knobs
        return bool(knobs.error_rate) and knobs.error_rng.random() < knobs.error_rate

    def banner_notes(self) -> str:
        """What `python -m` prints after the address (a WSDL, a login)."""
        return ""

    def lose_this_answer(self) -> bool:
        """Whether the booking just stored loses its answer (knob lose_create_answers)."""
        with self.lock:
            if self.knobs.lose_create_answers > 0:
                self.knobs.lose_create_answers -= 1
                return True
        return False

    def respond(self, method: str, path: str, headers: Message, body: bytes) -> Reply:
        if self.error_reply is not None and self.failing():
            return self.error_reply
        return self.answer(method, path, headers, body)

    def answer(self, method: str, path: str, headers: Message, body: bytes) -> Reply:
        """The protocol's answer to one request that the knobs let through."""
        raise NotImplementedError

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
    options: dict[str, str],
) -> None:
    """`python -m integrations.simulators.<system>`: parse the flags, serve until Ctrl-C.

    `options` are the simulator's own string keywords (a login, a token, an
    encoding) and their defaults; each becomes a flag."""
    parser = argparse.ArgumentParser(prog=f"python -m integrations.simulators.{name}")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--store", help="SQLite file of the MIS's appointment book")
    parser.add_argument("--seed", type=int, default=MisKnobs.seed)
    for keyword, default in options.items():
        parser.add_argument(f"--{keyword.replace('_', '-')}", default=default)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per call")
    parser.add_argument("--error-rate", type=float, default=0.0, help="0..1 of calls fail")
    parser.add_argument("--outage", choices=("503",), help="answer every call with 503")
    parser.add_argument("--time-zone", default=MIS_TIME_ZONE, help="the MIS's wall clock")
    parser.add_argument("--clock-skew", type=float, default=0.0, help="seconds ahead")
    parser.add_argument("--doctors", type=int, help="size of the clinic (default: the demo's 44)")
    args = vars(parser.parse_args(argv))
    simulator = simulator_class(**args)
    notes = simulator.banner_notes()
    sys.stdout.write(
        f"{name} simulator at {simulator.url}{', ' + notes if notes else ''}"
        f" (knobs: {simulator.knobs_url})\n"
    )
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
