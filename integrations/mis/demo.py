"""The demo MIS: an in-process clinic generated deterministically from a seed.

Three branches in two time zones, 14 specialties, 44 doctors, 60+ services
with durations and prices, and 30 days of schedules with lunch breaks and
visits already booked. Each branch also has a procedure room where blood is
taken for lab tests: a bookable resource shaped like a doctor (specialty
«Процедурный кабинет»), open every morning. The MIS keeps its clock in Moscow time, like many
real ones, so the Yekaterinburg branch (UTC+5) arrives shifted by two hours
and has to be converted. All names and addresses are synthetic.

The schedule of a doctor on a date depends only on (seed, doctor, date), so
asking twice gives the same answer and a repeated sync changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import ClassVar
from zoneinfo import ZoneInfo

from integrations.mis.demo_patients import PATIENTS
from integrations.mis.matching import matching
from integrations.ports import (
    BookingRequest,
    Branch,
    BreakInterval,
    BusyInterval,
    CheckupProgram,
    Doctor,
    LabTest,
    MisAppointment,
    MisError,
    MisStatus,
    MisUnavailable,
    Patient,
    PatientRecord,
    Schedule,
    Service,
    SlotPolicy,
    SlotTaken,
    Specialty,
    WorkInterval,
)

MIS_TIME_ZONE = "Europe/Moscow"
SCHEDULE_DAYS = 30

BRANCHES = (
    Branch(
        "br-msk",
        "Филиал на Тверской",
        "г. Москва, ул. Примерная, д. 12",
        "+74950000001",
        "Europe/Moscow",
    ),
    Branch(
        "br-spb",
        "Филиал на Невском",
        "г. Санкт-Петербург, пр. Условный, д. 7",
        "+78120000002",
        "Europe/Moscow",
    ),
    Branch(
        "br-ekb",
        "Филиал в Екатеринбурге",
        "г. Екатеринбург, ул. Образцовая, д. 3",
        "+73430000003",
        "Asia/Yekaterinburg",
    ),
)


@dataclass(frozen=True)
class _SpecialtySpec:
    code: str  # the specialty's number in the B01 section of the nomenclature
    name: str
    doctor_title: str  # as in "Приём врача-терапевта"
    doctors: int
    procedures: tuple[tuple[str, str, int, int], ...]  # code, name, minutes, price


SPECIALTIES = (
    _SpecialtySpec(
        "047",
        "Терапия",
        "терапевта",
        4,
        (
            ("A05.10.006", "Регистрация электрокардиограммы", 15, 1200),
            ("B04.047.002", "Профилактический осмотр терапевта", 30, 2600),
        ),
    ),
    _SpecialtySpec(
        "015",
        "Кардиология",
        "кардиолога",
        3,
        (
            ("A04.10.002", "Эхокардиография", 40, 4200),
            ("A05.10.008", "Холтеровское мониторирование ЭКГ (установка)", 20, 3900),
        ),
    ),
    _SpecialtySpec(
        "023", "Неврология", "невролога", 3, (("A05.23.001", "Электроэнцефалография", 60, 3800),)
    ),
    _SpecialtySpec(
        "058",
        "Эндокринология",
        "эндокринолога",
        3,
        (("A04.22.001", "УЗИ щитовидной железы", 20, 1900),),
    ),
    _SpecialtySpec(
        "004",
        "Гастроэнтерология",
        "гастроэнтеролога",
        3,
        (
            ("A04.16.001", "УЗИ органов брюшной полости", 30, 2700),
            ("A03.16.001", "Эзофагогастродуоденоскопия", 40, 5500),
        ),
    ),
    _SpecialtySpec(
        "001",
        "Акушерство и гинекология",
        "акушера-гинеколога",
        3,
        (
            ("A04.20.001", "УЗИ органов малого таза", 30, 2500),
            ("A03.20.001", "Кольпоскопия", 20, 2300),
        ),
    ),
    _SpecialtySpec(
        "053", "Урология", "уролога", 3, (("A04.28.001", "УЗИ почек и надпочечников", 20, 2000),)
    ),
    _SpecialtySpec(
        "028",
        "Оториноларингология",
        "оториноларинголога",
        3,
        (
            ("A12.25.001", "Тональная аудиометрия", 30, 1800),
            ("A16.08.016", "Промывание лакун миндалин", 20, 1500),
        ),
    ),
    _SpecialtySpec(
        "029",
        "Офтальмология",
        "офтальмолога",
        3,
        (
            ("A02.26.003", "Офтальмоскопия глазного дна", 15, 1300),
            ("A02.26.005", "Периметрия", 20, 1400),
        ),
    ),
    _SpecialtySpec(
        "008",
        "Дерматовенерология",
        "дерматовенеролога",
        3,
        (
            ("A03.01.001", "Дерматоскопия", 20, 1700),
            ("A16.01.017", "Удаление доброкачественного новообразования кожи", 40, 4800),
        ),
    ),
    _SpecialtySpec(
        "050",
        "Травматология и ортопедия",
        "травматолога-ортопеда",
        3,
        (("A11.04.004", "Внутрисуставное введение лекарственного препарата", 20, 2900),),
    ),
    _SpecialtySpec(
        "031",
        "Педиатрия",
        "педиатра",
        4,
        (("B04.031.002", "Профилактический осмотр педиатра", 30, 2400),),
    ),
    _SpecialtySpec(
        "057",
        "Хирургия",
        "хирурга",
        3,
        (
            ("A15.01.001", "Перевязка при нарушении целостности кожи", 20, 1100),
            ("A16.01.004", "Хирургическая обработка раны", 30, 3300),
        ),
    ),
    _SpecialtySpec(
        "002",
        "Аллергология и иммунология",
        "аллерголога-иммунолога",
        3,
        (("A12.06.006", "Накожные аллергологические пробы", 45, 3600),),
    ),
)

# The procedure room: one per branch, booked like a doctor for a blood draw.
ROOM_SPECIALTY = Specialty("sp-proc", "Процедурный кабинет")
ROOM_SERVICE = Service(
    "sv-A11.12.009",
    "A11.12.009",
    "Взятие крови из периферической вены",
    ROOM_SPECIALTY.external_id,
    10,
    Decimal(250),
)
ROOM_HOURS = (time(7, 30), time(11, 30))  # every day, the branch's local time
_ROOM_NAMES = {"br-msk": "Тверская", "br-spb": "Невский", "br-ekb": "Екатеринбург"}


def procedure_rooms() -> list[Doctor]:
    """«Процедурный кабинет — Тверская» and so on: external ids dr-proc-<branch>."""
    return [
        Doctor(
            external_id=f"dr-proc-{branch.external_id.removeprefix('br-')}",
            last_name="Процедурный кабинет —",
            first_name=_ROOM_NAMES[branch.external_id],
            middle_name="",
            specialty_ids=(ROOM_SPECIALTY.external_id,),
            branch_ids=(branch.external_id,),
            service_ids=(ROOM_SERVICE.external_id,),
        )
        for branch in BRANCHES
    ]


def is_procedure_room(doctor: Doctor) -> bool:
    return ROOM_SPECIALTY.external_id in doctor.specialty_ids


_MALE_FIRST = (
    "Алексей",
    "Андрей",
    "Дмитрий",
    "Сергей",
    "Михаил",
    "Павел",
    "Игорь",
    "Олег",
    "Роман",
    "Николай",
    "Владимир",
    "Константин",
)
_FEMALE_FIRST = (
    "Анна",
    "Елена",
    "Мария",
    "Ольга",
    "Наталья",
    "Татьяна",
    "Ирина",
    "Светлана",
    "Юлия",
    "Екатерина",
    "Марина",
    "Вера",
)
_PATRONYMIC_ROOTS = (
    "Александров",
    "Викторов",
    "Сергеев",
    "Петров",
    "Игорев",
    "Андреев",
    "Николаев",
    "Олегов",
    "Михайлов",
    "Павлов",
)
_SURNAMES = (
    "Соколов",
    "Морозов",
    "Волков",
    "Лебедев",
    "Козлов",
    "Новиков",
    "Семёнов",
    "Голубев",
    "Виноградов",
    "Богданов",
    "Воробьёв",
    "Фёдоров",
    "Беляев",
    "Тарасов",
    "Белов",
    "Комаров",
    "Орлов",
    "Киселёв",
    "Макаров",
    "Ковалёв",
    "Ильин",
    "Гусев",
    "Титов",
    "Кузьмин",
    "Кудрявцев",
    "Баранов",
    "Куликов",
    "Медведев",
    "Ершов",
    "Никитин",
    "Соболев",
    "Рябов",
    "Поляков",
    "Цветков",
    "Данилов",
    "Жуков",
    "Фролов",
    "Журавлёв",
    "Николаев",
    "Крылов",
    "Максимов",
    "Сидоров",
    "Осипов",
    "Белоусов",
    "Федотов",
    "Дорофеев",
    "Егоров",
    "Матвеев",
)
_CATEGORIES = ("высшая категория", "первая категория", "вторая категория", "")
_DEGREES = ("кандидат медицинских наук", "доктор медицинских наук", "", "", "", "")

# Shift kinds: (start, end, lunch) in the branch's local time.
_SHIFTS = {
    "full": (time(9), time(18), (time(13), time(14))),
    "morning": (time(8), time(14), None),
    "evening": (time(14), time(20), None),
    "saturday": (time(9), time(15), None),
}


def _patronymic(root: str, female: bool) -> str:
    return root + ("на" if female else "ич")


class DemoMis:
    """Deterministic in-process MIS (implements integrations.ports.MisAdapter)."""

    name = "demo"
    time_zone = MIS_TIME_ZONE
    slot_policy = SlotPolicy(grid_minutes=15, buffer_minutes=5, breaks_block=True)

    # What MIS_ADAPTER=demo is built from: keyword -> setting (integrations.mis.ADAPTERS).
    SETTINGS: ClassVar[dict[str, str]] = {
        "seed": "MIS_DEMO_SEED",
        "outage": "MIS_DEMO_OUTAGE",
        "store": "MIS_DEMO_STORE",
    }

    def __init__(
        self,
        *,
        seed: int = 2026,
        outage: bool = False,
        today: date | None = None,
        store: Path | str | None = None,
        doctors: int | None = None,
    ):
        self.seed = seed
        # Size knob (benches): this many doctors spread over the specialties;
        # None keeps the demo clinic's own 44.
        self.doctor_count = doctors
        self.outage = outage
        self._tz = ZoneInfo(MIS_TIME_ZONE)
        self._today = today
        self._specialties, self._services, self._doctors = self._generate_directory()
        # The MIS's own appointment book: a SQLite file shared by every process
        # that talks to this MIS (web, workers); in memory when no file is given.
        self._store = _AppointmentBook(store)

    # --- the MisAdapter port ---------------------------------------------

    def ping(self) -> MisStatus:
        self._check_up()
        return MisStatus(system=self.name, ok=True, detail=f"seed {self.seed}")

    def branches(self) -> list[Branch]:
        self._check_up()
        return list(BRANCHES)

    def specialties(self) -> list[Specialty]:
        self._check_up()
        return list(self._specialties)

    def services(self) -> list[Service]:
        self._check_up()
        return list(self._services)

    def doctors(self) -> list[Doctor]:
        self._check_up()
        return list(self._doctors)

    def schedule(self, *, start: date, end: date) -> Schedule:
        self._check_up()
        first = self.today()
        last = first + timedelta(days=SCHEDULE_DAYS - 1)
        work: list[WorkInterval] = []
        busy: list[BusyInterval] = []
        breaks: list[BreakInterval] = []
        day = max(start, first)
        while day <= min(end, last):
            for doctor in self._doctors:
                self._doctor_day(doctor, day, work, busy, breaks)
            day += timedelta(days=1)
        window_start = datetime.combine(start, time(), self._tz)
        window_end = datetime.combine(end + timedelta(days=1), time(), self._tz)
        busy += [
            BusyInterval(a.doctor_id, a.start.astimezone(self._tz), a.end.astimezone(self._tz))
            for a in self._store.booked(window_start, window_end)
        ]
        return Schedule(work=tuple(work), busy=tuple(busy), breaks=tuple(breaks))

    def book(self, request: BookingRequest) -> MisAppointment:
        self._check_up()
        if request.doctor_id not in {d.external_id for d in self._doctors}:
            raise MisError(f"unknown doctor {request.doctor_id}")
        doctor = next(d for d in self._doctors if d.external_id == request.doctor_id)
        local_day = request.start.astimezone(self._tz).date()
        work: list[WorkInterval] = []
        blocked: list[BusyInterval | BreakInterval] = []
        if self.today() <= local_day < self.today() + timedelta(days=SCHEDULE_DAYS):
            self._doctor_day(doctor, local_day, work, blocked, blocked)
        inside_work = any(w.start <= request.start and request.end <= w.end for w in work)
        clashes = any(i.start < request.end and request.start < i.end for i in blocked)
        return self._store.book(request, free=inside_work and not clashes)

    def cancel(self, *, appointment_id: str, idempotency_key: str) -> None:
        self._check_up()
        self._store.cancel(appointment_id)

    def appointment(
        self, *, appointment_id: str = "", idempotency_key: str = ""
    ) -> MisAppointment | None:
        """One appointment of the book by its id or by the key it was booked with."""
        return self._store.find(appointment_id=appointment_id, idempotency_key=idempotency_key)

    # --- knobs of the demo system ----------------------------------------------

    def find_patients(
        self, *, phone: str, birth_date: date | None = None, last_name: str = ""
    ) -> list[Patient]:
        self._check_up()
        return matching(PATIENTS, phone=phone, birth_date=birth_date, last_name=last_name)

    def book_by_phone(self, *, doctor_id: str, start: datetime, end: datetime) -> MisAppointment:
        """The front desk books a time over the phone, bypassing the site."""
        request = BookingRequest(
            idempotency_key=f"phone-{doctor_id}-{start.isoformat()}",
            doctor_id=doctor_id,
            branch_id="",
            service_id="",
            start=start,
            end=end,
            patient=None,  # type: ignore[arg-type]
        )
        return self._store.book(request, free=True)

    # --- the patient's record (integrations.ports.PatientRecordSource) ---------

    def patient_record(self, *, patient_id: str, since: date | None = None) -> PatientRecord:
        self._check_up()
        from integrations.mis.demo_records import patient_record

        return patient_record(patient_id=patient_id, today=self.today(), since=since)

    # --- generation ----------------------------------------------------------

    def today(self) -> date:
        return self._today or datetime.now(self._tz).date()

    def _check_up(self) -> None:
        if self.outage:
            raise MisUnavailable("demo MIS: outage knob is on")

    def _generate_directory(self) -> tuple[list[Specialty], list[Service], list[Doctor]]:
        rng = random.Random(f"{self.seed}:directory")
        specialties: list[Specialty] = []
        services: list[Service] = []
        doctors: list[Doctor] = []
        surnames = list(_SURNAMES)
        rng.shuffle(surnames)
        counts = [spec.doctors for spec in SPECIALTIES]
        if self.doctor_count is not None:
            share, extra = divmod(self.doctor_count, len(SPECIALTIES))
            counts = [share + (index < extra) for index in range(len(SPECIALTIES))]
        for spec, doctor_count in zip(SPECIALTIES, counts, strict=True):
            spec_id = f"sp-{spec.code}"
            specialties.append(Specialty(spec_id, spec.name))
            base = Decimal(rng.randrange(2400, 4600, 100))
            own = [
                Service(
                    f"sv-B01.{spec.code}.001",
                    f"B01.{spec.code}.001",
                    f"Приём (осмотр, консультация) врача-{spec.doctor_title} первичный",
                    spec_id,
                    30,
                    base,
                ),
                Service(
                    f"sv-B01.{spec.code}.002",
                    f"B01.{spec.code}.002",
                    f"Приём (осмотр, консультация) врача-{spec.doctor_title} повторный",
                    spec_id,
                    20,
                    (base * Decimal("0.8")).quantize(Decimal("100")),
                ),
                Service(
                    f"sv-B01.{spec.code}.002-tm",
                    f"B01.{spec.code}.002",
                    f"Телемедицинская консультация врача-{spec.doctor_title}",
                    spec_id,
                    30,
                    (base * Decimal("0.7")).quantize(Decimal("100")),
                    online=True,
                ),
            ]
            own += [
                Service(f"sv-{code}", code, name, spec_id, minutes, Decimal(price))
                for code, name, minutes, price in spec.procedures
            ]
            services += own
            for number in range(doctor_count):
                female = rng.random() < 0.55
                surname = surnames.pop() if surnames else rng.choice(_SURNAMES)
                doctor_id = f"dr-{spec.code}-{number + 1}"
                branch_ids = tuple(
                    sorted(rng.sample([b.external_id for b in BRANCHES], k=rng.choice((1, 1, 2))))
                )
                doctors.append(
                    Doctor(
                        external_id=doctor_id,
                        last_name=surname + ("а" if female else ""),
                        first_name=rng.choice(_FEMALE_FIRST if female else _MALE_FIRST),
                        middle_name=_patronymic(rng.choice(_PATRONYMIC_ROOTS), female),
                        specialty_ids=(spec_id,),
                        branch_ids=branch_ids,
                        service_ids=tuple(s.external_id for s in own),
                        career_start=date(rng.randrange(1988, 2021), rng.randrange(1, 13), 1),
                        category=rng.choice(_CATEGORIES),
                        degree=rng.choice(_DEGREES),
                    )
                )
        # The rooms come after the doctors (the size knob counts doctors only).
        specialties.append(ROOM_SPECIALTY)
        services.append(ROOM_SERVICE)
        doctors += procedure_rooms()
        return specialties, services, doctors

    def _doctor_day(
        self,
        doctor: Doctor,
        day: date,
        work: list[WorkInterval],
        busy: list[BusyInterval],
        breaks: list[BreakInterval],
    ) -> None:
        if is_procedure_room(doctor):
            self._room_day(doctor, day, work, busy)
            return
        pattern = random.Random(f"{self.seed}:{doctor.external_id}:pattern")
        works_saturday = pattern.random() < 0.4
        usual_shift = pattern.choice(("full", "full", "morning", "evening"))
        rng = random.Random(f"{self.seed}:{doctor.external_id}:{day.isoformat()}")
        weekday = day.weekday()
        if weekday == 6 or (weekday == 5 and not works_saturday) or rng.random() < 0.05:
            return
        shift = "saturday" if weekday == 5 else usual_shift
        begin, finish, lunch = _SHIFTS[shift]
        branch = next(
            b
            for b in BRANCHES
            if b.external_id == doctor.branch_ids[weekday % len(doctor.branch_ids)]
        )
        local = ZoneInfo(branch.time_zone)

        def at(moment: time) -> datetime:
            return datetime.combine(day, moment, tzinfo=local).astimezone(self._tz)

        work.append(WorkInterval(doctor.external_id, branch.external_id, at(begin), at(finish)))
        if lunch:
            breaks.append(BreakInterval(doctor.external_id, at(lunch[0]), at(lunch[1])))
        # Visits already booked by phone and at the front desk.
        occupancy = rng.uniform(0.25, 0.6)
        cursor = datetime.combine(day, begin)
        end_local = datetime.combine(day, finish)
        while cursor + timedelta(minutes=30) <= end_local:
            in_lunch = lunch and datetime.combine(day, lunch[0]) <= cursor < datetime.combine(
                day, lunch[1]
            )
            if not in_lunch and rng.random() < occupancy:
                length = rng.choice((20, 30))
                start = cursor.replace(tzinfo=local).astimezone(self._tz)
                busy.append(
                    BusyInterval(doctor.external_id, start, start + timedelta(minutes=length))
                )
            cursor += timedelta(minutes=30)

    def _room_day(
        self, room: Doctor, day: date, work: list[WorkInterval], busy: list[BusyInterval]
    ) -> None:
        """A procedure room: open every morning, a few draws already booked."""
        branch = next(b for b in BRANCHES if b.external_id == room.branch_ids[0])
        local = ZoneInfo(branch.time_zone)
        begin, finish = (
            datetime.combine(day, moment, tzinfo=local).astimezone(self._tz)
            for moment in ROOM_HOURS
        )
        work.append(WorkInterval(room.external_id, branch.external_id, begin, finish))
        rng = random.Random(f"{self.seed}:{room.external_id}:{day.isoformat()}")
        step = timedelta(minutes=15)
        cursor = begin
        while cursor + step <= finish:
            if rng.random() < 0.3:
                busy.append(BusyInterval(room.external_id, cursor, cursor + timedelta(minutes=10)))
            cursor += step

    # --- the lab catalog (integrations.ports.LabCatalogSource) -----------------

    def lab_tests(self) -> list[LabTest]:
        self._check_up()
        return [LabTest(f"lt-{row[0]}", *row) for row in LAB_TESTS]

    def checkup_programs(self) -> list[CheckupProgram]:
        self._check_up()
        return [
            CheckupProgram(
                f"cp-{slug}",
                name,
                description,
                tuple(f"lt-{code}" for code in tests),
                tuple(f"sv-{code}" for code in services),
            )
            for slug, name, description, tests, services in CHECKUP_PROGRAMS
        ]


class _AppointmentBook:
    """Appointments written into the demo MIS (by the site or by its front desk)."""

    def __init__(self, path: Path | str | None):
        self._path = Path(path) if path else None
        # One shared connection for an in-memory book; a file is opened per call.
        self._memory = None if path else sqlite3.connect(":memory:", isolation_level=None)
        with self._db() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS appointment (id TEXT PRIMARY KEY, "
                "idempotency_key TEXT UNIQUE NOT NULL, doctor_id TEXT NOT NULL, "
                "start TEXT NOT NULL, end TEXT NOT NULL, status TEXT NOT NULL, patient TEXT)"
            )

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        if self._memory is not None:
            yield self._memory
            return
        self._path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self._path, timeout=20, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            yield db
        finally:
            db.close()

    @staticmethod
    def _row(row: tuple) -> MisAppointment:
        id_, doctor_id, start, end, status = row
        return MisAppointment(
            id_, doctor_id, datetime.fromisoformat(start), datetime.fromisoformat(end), status
        )

    def booked(self, start: datetime, end: datetime) -> list[MisAppointment]:
        with self._db() as db:
            rows = db.execute(
                "SELECT id, doctor_id, start, end, status FROM appointment "
                "WHERE status = 'booked' AND start >= ? AND start < ?",
                (start.astimezone(UTC).isoformat(), end.astimezone(UTC).isoformat()),
            ).fetchall()
        return [self._row(r) for r in rows]

    def find(self, *, appointment_id: str = "", idempotency_key: str = "") -> MisAppointment | None:
        with self._db() as db:
            row = db.execute(
                "SELECT id, doctor_id, start, end, status FROM appointment "
                "WHERE id = ? OR idempotency_key = ?",
                (appointment_id, idempotency_key),
            ).fetchone()
        return self._row(row) if row else None

    def book(self, request: BookingRequest, *, free: bool) -> MisAppointment:
        start = request.start.astimezone(UTC).isoformat()
        end = request.end.astimezone(UTC).isoformat()
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                existing = db.execute(
                    "SELECT id, doctor_id, start, end, status FROM appointment "
                    "WHERE idempotency_key = ?",
                    (request.idempotency_key,),
                ).fetchone()
                if existing:
                    return self._row(existing)
                overlap = db.execute(
                    "SELECT 1 FROM appointment WHERE status = 'booked' AND doctor_id = ? "
                    "AND start < ? AND end > ?",
                    (request.doctor_id, end, start),
                ).fetchone()
                if overlap or not free:
                    raise SlotTaken(f"{request.doctor_id} is not free at {start}")
                key = request.idempotency_key.encode()
                appointment_id = "ap-" + hashlib.sha256(key).hexdigest()[:16]
                patient = (
                    json.dumps(asdict(request.patient), default=str) if request.patient else None
                )
                db.execute(
                    "INSERT INTO appointment VALUES (?, ?, ?, ?, ?, 'booked', ?)",
                    (
                        appointment_id,
                        request.idempotency_key,
                        request.doctor_id,
                        start,
                        end,
                        patient,
                    ),
                )
                db.execute("COMMIT")
            finally:
                if db.in_transaction:
                    db.execute("ROLLBACK")
        return MisAppointment(appointment_id, request.doctor_id, request.start, request.end)

    def cancel(self, appointment_id: str) -> None:
        with self._db() as db:
            db.execute(
                "UPDATE appointment SET status = 'cancelled' WHERE id = ?", (appointment_id,)
            )


# --- the lab catalog: lab tests and check-up programs -------------------------

_FASTING = "Натощак: после последнего приёма пищи должно пройти 8–12 часов; воду пить можно."
_MORNING_URINE = (
    "Первая утренняя порция мочи после гигиены, в стерильный контейнер; "
    "доставить в течение 2 часов."
)

# code, name, biomaterial, preparation, turnaround (working days), price (roubles)
LAB_TESTS = (
    ("B03.016.002", "Общий анализ крови", "венозная кровь", _FASTING, 1, Decimal(650)),
    (
        "B03.016.003",
        "Общий анализ крови с лейкоцитарной формулой",
        "венозная кровь",
        _FASTING,
        1,
        Decimal(890),
    ),
    ("B03.016.006", "Общий анализ мочи", "моча", _MORNING_URINE, 1, Decimal(450)),
    ("A09.05.023", "Глюкоза в крови", "венозная кровь", _FASTING, 1, Decimal(320)),
    (
        "A09.05.083",
        "Гликированный гемоглобин (HbA1c)",
        "венозная кровь",
        "Специальной подготовки не требуется.",
        2,
        Decimal(790),
    ),
    ("A09.05.026", "Холестерин общий", "венозная кровь", _FASTING, 1, Decimal(330)),
    ("B03.016.005", "Липидный профиль", "венозная кровь", _FASTING, 2, Decimal(1450)),
    (
        "A09.05.065",
        "Тиреотропный гормон (ТТГ)",
        "венозная кровь",
        "Утром, натощак; за сутки исключить физические нагрузки.",
        2,
        Decimal(620),
    ),
    (
        "A09.05.063",
        "Свободный тироксин (Т4 свободный)",
        "венозная кровь",
        "Утром, натощак; за сутки исключить физические нагрузки.",
        2,
        Decimal(640),
    ),
    ("A09.05.041", "Аланинаминотрансфераза (АЛТ)", "венозная кровь", _FASTING, 1, Decimal(310)),
    ("A09.05.042", "Аспартатаминотрансфераза (АСТ)", "венозная кровь", _FASTING, 1, Decimal(310)),
    ("A09.05.020", "Креатинин в крови", "венозная кровь", _FASTING, 1, Decimal(310)),
    ("A09.05.076", "Ферритин", "венозная кровь", _FASTING, 2, Decimal(780)),
    (
        "A09.05.087",
        "Витамин D (25-OH)",
        "венозная кровь",
        "Специальной подготовки не требуется.",
        3,
        Decimal(2350),
    ),
    (
        "A26.06.036",
        "Антитела к гепатиту C (anti-HCV)",
        "венозная кровь",
        "За 4 часа до исследования не есть.",
        3,
        Decimal(590),
    ),
    ("A09.05.009", "С-реактивный белок", "венозная кровь", _FASTING, 1, Decimal(540)),
)

# slug, name, description, lab test codes, service codes
CHECKUP_PROGRAMS = (
    (
        "basic",
        "Check-up «Базовый»",
        "Ежегодная проверка здоровья для взрослых без жалоб: основные анализы, ЭКГ и приём терапевта.",
        (
            "B03.016.003",
            "B03.016.006",
            "A09.05.023",
            "A09.05.026",
            "A09.05.041",
            "A09.05.042",
            "A09.05.020",
        ),
        ("A05.10.006", "B01.047.001"),
    ),
    (
        "heart",
        "Check-up «Здоровое сердце»",
        "Для тех, у кого повышается давление или кто хочет оценить риск сердечно-сосудистых заболеваний.",
        ("B03.016.002", "B03.016.005", "A09.05.023", "A09.05.009"),
        ("A05.10.006", "A04.10.002", "B01.015.001"),
    ),
    (
        "thyroid",
        "Check-up «Щитовидная железа»",
        "Для людей с усталостью, изменением веса или семейной историей заболеваний щитовидной железы.",
        ("A09.05.065", "A09.05.063", "B03.016.002"),
        ("A04.22.001", "B01.058.001"),
    ),
)
