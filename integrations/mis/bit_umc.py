"""The БИТ.УМЦ adapter: БИТ.Управление медицинским центром's public HTTP service `/hs/bwi`.

Public (GitHub czdetstvo/1bit-api-spec, `docs/api-docs/http-services/*`, dated
28.11.2024; the client alex-nzr/bit-umc-php-sdk; ../shared/MIS-PROTOCOLS.md §3.1):
- `POST <url>/<Op>` with `<url>` = `http://host/BASE/hs/bwi`, a JSON body carrying
  the exchange setting's «Ключ API» as `Key`; the publication's own HTTP Basic
  when it is not anonymous (`user`/`password`, optional).
- Answers under `Ответ` with Cyrillic keys; `Результат` is the string "true" or
  "false" (`ОписаниеОшибки` then says why); a list of one element comes as the
  element itself and an empty one as "" (`_items` normalises every list).
- Times carry no zone: the base's wall clock (`time_zone`, a setting); read as
  ISO `yyyy-MM-ddTHH:mm:ss` or `dd.MM.yyyy HH:mm:ss`; a duration is a time
  ("0001-01-01T00:30:00", "0:30:00"); Date and TimeBegin travel apart.
- DictionaryData GetListClinic / GetListEmployees (per Clinic, for a doctor's
  branches) / GetNomenclatureAndPrices; Schedule GetSchedule20 (free and busy
  periods); Reservation; AppointmentCreate BookAnAppointmentWithParams;
  AppointmentStatus; AppointmentCancel.
- An overlap is HTTP 500 whose plain-text body is the platform's write error
  "Не удалось записать документ…" (reservation.md). `_call` is the one place
  that tells it from an outage: a 5xx whose body starts with WRITE_FAILED is
  SlotTaken; any other 5xx, an HTML page, a refused or timed-out call is
  MisUnavailable; `Результат "false"` (a wrong Key among others) is MisError.

Where the public record is silent (each a setting, or said here):
- no idempotency key, and no operation lists a patient's Заявки: the only read-back
  is AppointmentStatus by a УИД the base gave. So a booking first takes a бронь
  (Reservation → its УИД), then AppointmentCreate with `GUID` = that УИД turns the
  бронь into the Заявка ("GUID: the Заявка to change instead of writing a new
  one"; a бронь is a Заявка document, its overlap error says so). A lost
  AppointmentCreate answer is then harmless: the retry sends the same GUID and
  changes the same Заявка, never a second. The УИД is kept per idempotency key in
  this process; a retry from another process, or after a lost Reservation answer,
  meets the overlap (SlotTaken) until the бронь lapses after 15 minutes: never two
  bookings. That a бронь's УИД is accepted as GUID is the assumption;
  `reserve_first=False` (BIT_UMC_RESERVE_FIRST) books with AppointmentCreate alone.
- specialties: the spec has no specialty list; they are the employees'
  `Специализация` texts, the text itself being the id;
- a branch's address, phone and zone (`time_zone` for all); a service's duration
  (`service_minutes`, BIT_UMC_SERVICE_MINUTES), code and specialty;
- find_patients: no public operation looks a patient up, so it returns [] (the
  base finds or creates the patient itself from the booking's fields);
- AppointmentCancel's Reason: REASON below.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import httpx

from integrations.ports import (
    BookingRequest,
    Branch,
    BusyInterval,
    Doctor,
    MisAppointment,
    MisError,
    MisStatus,
    MisUnavailable,
    Patient,
    Schedule,
    Service,
    SlotPolicy,
    SlotTaken,
    Specialty,
    WorkInterval,
)

DAY, CLOCK = "%d.%m.%Y", "%H:%M:%S"
MOMENTS = ("%Y-%m-%dT%H:%M:%S", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y", "%Y-%m-%d")
WRITE_FAILED = "Не удалось записать"  # the platform's write error: an overlap, not an outage
REASON = "Отменено пациентом на сайте"
BOOKED = frozenset({"1", "2", "4"})  # AppointmentStatus codes of a live Заявка


class BitUmcMis:
    """MisAdapter over БИТ.УМЦ's `/hs/bwi` HTTP service."""

    name = "bit_umc"

    # What MIS_ADAPTER=bit_umc is built from: keyword -> setting (integrations.mis.ADAPTERS).
    SETTINGS: ClassVar[dict[str, str]] = {
        "url": "BIT_UMC_URL",
        "key": "BIT_UMC_KEY",
        "user": "BIT_UMC_USER",
        "password": "BIT_UMC_PASSWORD",
        "time_zone": "BIT_UMC_TIME_ZONE",
        "timeout": "BIT_UMC_TIMEOUT",
        "service_minutes": "BIT_UMC_SERVICE_MINUTES",
        "reserve_first": "BIT_UMC_RESERVE_FIRST",
    }

    def __init__(
        self,
        *,
        url: str,
        key: str,
        user: str = "",
        password: str = "",
        time_zone: str = "Europe/Moscow",
        timeout: float = 10.0,
        service_minutes: int = 30,
        reserve_first: bool = True,
    ):
        self.url = url.rstrip("/")
        self.time_zone = time_zone
        self.timeout = timeout
        self.service_minutes = service_minutes
        self.reserve_first = reserve_first
        # GetSchedule20 gives free periods, not slots: any start inside, lunch closed.
        self.slot_policy = SlotPolicy(grid_minutes=5, buffer_minutes=0, breaks_block=True)
        self._key = key
        self._zone = ZoneInfo(time_zone)
        self._http = httpx.Client(timeout=timeout, auth=(user, password) if user else None)
        # idempotency key -> the УИД of its бронь/Заявка (see the module's docstring).
        self._orders: dict[str, str] = {}

    # --- the MisAdapter port ---------------------------------------------

    def ping(self) -> MisStatus:
        clinics = self._clinics()
        return MisStatus(system=self.name, ok=True, detail=f"БИТ.УМЦ, {len(clinics)} clinic(s)")

    def branches(self) -> list[Branch]:
        return [
            Branch(str(c["УИД"]), c.get("Наименование") or "", "", "", self.time_zone)
            for c in self._clinics()
        ]

    def specialties(self) -> list[Specialty]:
        names = {e.get("Специализация") or "" for e in self._employees()}
        return [Specialty(name, name) for name in sorted(names) if name]

    def services(self) -> list[Service]:
        answer = self._call("DictionaryData", {"Method": "GetNomenclatureAndPrices"})
        return [
            Service(
                external_id=str(n["УИД"]),
                code="",
                name=n.get("Наименование") or "",
                specialty_id=None,
                duration_minutes=self.service_minutes,
                price=_price(n.get("Цена")),
            )
            for n in _items(answer.get("Номенклатура"))
        ]

    def doctors(self) -> list[Doctor]:
        branches: dict[str, list[str]] = {}
        for clinic in self._clinics():
            for employee in self._employees(clinic=str(clinic["УИД"])):
                branches.setdefault(str(employee["УИД"]), []).append(str(clinic["УИД"]))
        doctors = []
        for employee in self._employees():
            parts = (employee.get("Наименование") or "").split(maxsplit=2)
            last, first, middle = [*parts, "", "", ""][:3]
            specialty = employee.get("Специализация") or ""
            doctors.append(
                Doctor(
                    external_id=str(employee["УИД"]),
                    last_name=last,
                    first_name=first,
                    middle_name=middle,
                    specialty_ids=(specialty,) if specialty else (),
                    branch_ids=tuple(branches.get(str(employee["УИД"]), ())),
                    service_ids=(),
                )
            )
        return doctors

    def schedule(self, *, start: date, end: date) -> Schedule:
        work: list[WorkInterval] = []
        busy: list[BusyInterval] = []
        for row in self._schedule_rows(start=start, end=end):
            doctor, clinic = str(row["СотрудникID"]), str(row.get("Клиника") or "")
            periods = row.get("ПериодыГрафика") or {}
            free = _periods(periods.get("СвободноеВремя") if periods else None)
            taken = _periods(periods.get("ЗанятоеВремя") if periods else None)
            free += _items(row.get("ПериодГрафика"))  # the OnlyFreeTime shape
            spans = sorted(
                (self._aware(p["ВремяНачала"]), self._aware(p["ВремяОкончания"]), p in taken)
                for p in (*free, *taken)
            )
            busy += [BusyInterval(doctor, s, e) for s, e, is_busy in spans if is_busy]
            for s, e, _ in spans:  # a work interval: a run of back-to-back periods
                if work and (work[-1].doctor_id, work[-1].branch_id, work[-1].end) == (
                    doctor,
                    clinic,
                    s,
                ):
                    work[-1] = WorkInterval(doctor, clinic, work[-1].start, e)
                else:
                    work.append(WorkInterval(doctor, clinic, s, e))
        return Schedule(work=tuple(work), busy=tuple(busy))

    def book(self, request: BookingRequest) -> MisAppointment:
        guid = self._orders.get(request.idempotency_key, "")
        if guid and self._status(guid) not in BOOKED:
            guid = ""  # lapsed or cancelled: start again
        if not guid and self.reserve_first:
            guid = self._reserve(request)
        body = {"Method": "BookAnAppointmentWithParams", **self._when(request)}
        patient = request.patient
        body |= {
            "PatientSurname": patient.last_name,
            "PatientName": patient.first_name,
            "PatientFatherName": patient.middle_name,
            "Phone": patient.phone,
            "Email": patient.email,
            "Comment": f"site:{request.idempotency_key}",
        }
        if patient.birth_date:
            body["Birthday"] = patient.birth_date.strftime(DAY)
        if request.service_id:
            body["Service"] = request.service_id
        if guid:
            body["GUID"] = guid
        answer = self._call("AppointmentCreate", body)
        guid = str(answer.get("УИД") or guid)
        self._orders[request.idempotency_key] = guid
        return MisAppointment(guid, request.doctor_id, request.start, request.end)

    def cancel(self, *, appointment_id: str, idempotency_key: str) -> None:
        if self._status(appointment_id) == "3":
            return  # cancelled already: twice is not an error
        self._call(
            "AppointmentCancel",
            {"GUID": appointment_id, "Reason": REASON, "AdditionalInformation": ""},
        )

    def find_patients(
        self, *, phone: str, birth_date: date | None = None, last_name: str = ""
    ) -> list[Patient]:
        return []  # /hs/bwi has no patient lookup (see the module's docstring)

    # --- the pieces ------------------------------------------------------------

    def _clinics(self) -> list[dict]:
        return _items(self._call("DictionaryData", {"Method": "GetListClinic"}).get("Клиники"))

    def _employees(self, *, clinic: str = "") -> list[dict]:
        body = {"Method": "GetListEmployees", **({"Clinic": clinic} if clinic else {})}
        return _items(self._call("DictionaryData", body).get("Сотрудники"))

    def _schedule_rows(self, *, start: date, end: date) -> list[dict]:
        body = {
            "Method": "GetSchedule20",
            "StartDate": start.strftime(DAY) + " 00:00:00",
            "FinishDate": end.strftime(DAY) + " 00:00:00",
            "Format": "JSON",
        }
        return _items(self._call("Schedule", body).get("ГрафикДляСайта"))

    def _reserve(self, request: BookingRequest) -> str:
        guid = str(self._call("Reservation", self._when(request)).get("УИД") or "")
        if guid:
            self._orders[request.idempotency_key] = guid
        return guid

    def _status(self, guid: str) -> str:
        return str(self._call("AppointmentStatus", {"GUID": guid}).get("Статус") or "0")

    def _when(self, request: BookingRequest) -> dict[str, str]:
        start = request.start.astimezone(self._zone)
        minutes = int((request.end - request.start).total_seconds() // 60)
        return {
            "Date": start.strftime(DAY),
            "TimeBegin": start.strftime(CLOCK),
            "Clinic": request.branch_id,
            "EmployeeID": request.doctor_id,
            "Duration": f"{minutes // 60}:{minutes % 60:02d}:00",
        }

    def _aware(self, text: str) -> datetime:
        for pattern in MOMENTS:
            try:
                return datetime.strptime(str(text), pattern).replace(tzinfo=self._zone)
            except ValueError:
                continue
        raise MisError(f"БИТ.УМЦ: a time not understood: {text!r}")

    # --- HTTP -------------------------------------------------------------------

    def _call(self, op: str, body: dict[str, str]) -> dict:
        """`Ответ` of one operation; the one place that sorts answers into errors."""
        try:
            response = self._http.post(f"{self.url}/{op}", json={"Key": self._key, **body})
        except httpx.HTTPError as exc:  # refused, reset, timed out
            raise MisUnavailable(f"БИТ.УМЦ {op}: {type(exc).__name__}") from exc
        if response.status_code >= 500:
            text = response.text.strip()
            if response.status_code == 500 and text.startswith(WRITE_FAILED):
                raise SlotTaken(f"БИТ.УМЦ {op}: {text[:200]}")
            raise MisUnavailable(f"БИТ.УМЦ {op}: HTTP {response.status_code}")
        if response.status_code >= 400:
            raise MisError(f"БИТ.УМЦ {op}: HTTP {response.status_code}")
        try:
            answer = response.json().get("Ответ")
        except (ValueError, AttributeError) as exc:
            raise MisError(f"БИТ.УМЦ {op}: HTTP {response.status_code}, not JSON") from exc
        if not isinstance(answer, dict):
            raise MisError(f"БИТ.УМЦ {op}: no Ответ")
        if "Результат" in answer and not _true(answer["Результат"]):
            raise MisError(f"БИТ.УМЦ {op}: {answer.get('ОписаниеОшибки') or 'Результат false'}")
        return answer


def _items(value: Any) -> list[dict]:
    """A 1C list as a list: one element comes bare, none as "" or null."""
    if not value:
        return []
    return [value] if isinstance(value, dict) else list(value)


def _periods(value: Any) -> list[dict]:
    """`СвободноеВремя`/`ЗанятоеВремя`: {ПериодГрафика: one or many} or ""."""
    return _items(value.get("ПериодГрафика")) if isinstance(value, dict) else []


def _true(value: Any) -> bool:
    return str(value).strip().casefold() == "true"


def _price(value: Any) -> Decimal:
    try:
        return Decimal(str(value or 0).replace(",", ".").replace("\xa0", "").replace(" ", ""))
    except InvalidOperation:
        return Decimal(0)
