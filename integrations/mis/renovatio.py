"""The Renovatio (МИС «Реновация») adapter: its public API (form POST, `api_key`) via httpx.

Public (help.rnova.org "Работа с API" and public clients; ../shared/MIS-PROTOCOLS.md §6):
- `POST <url>/<method>` with `<url>` = `https://app.rnova.org/api/public`, the
  body `application/x-www-form-urlencoded`, the clinic's key as `api_key`.
- Every answer is `{"error": 0, "data": …}` or, on HTTP 200 too,
  `{"error": 1, "data": {"code", "desc"}}`; `data` is an object when one thing
  comes back, a list otherwise (`_items` takes either).
- Dates `dd.mm.yyyy`, times `dd.mm.yyyy HH:MM`, with no zone: the clinic's wall
  clock (`time_zone`, a setting).
- getClinics, getProfessions, getUsers, getServices, getSchedule (mode=slots,
  `step`, show_busy, show_past), createAppointment (check_intersection=1),
  cancelAppointment, getAppointments, getPatient (mobile + birth_date).
- No idempotency key: a booking whose answer was lost is found again by
  getAppointments for the same patient, doctor and time before it is sent again.

Where the public record is silent (each a constructor argument and a setting, or
said here):
- the error codes: none are public, so a refused createAppointment is told apart
  by asking getSchedule whether the time is still free (busy or gone: SlotTaken);
- the slot length (`step`, RENOVATIO_STEP) and a service's duration
  (`service_minutes`, RENOVATIO_SERVICE_MINUTES): getServices has no duration;
- a branch's zone is `time_zone` for every clinic; a service's nomenclature
  code, a doctor's services, career and category are not in the public items;
- a cancelled appointment's `status` in getAppointments: "canceled"/"cancelled";
- our idempotency key travels in createAppointment's `comment`, and the lookup
  requires it there when the MIS returns the comment;
- a work interval is the run of consecutive slots of one doctor in one clinic,
  a busy interval the run of consecutive busy slots: breaks are gaps, not reported;
- getPatient is asked by `mobile` alone when the birth date is unknown;
- getPatient's `error=1` code for "no such patient": NOT_FOUND ("404");
- getSchedule's `time_start`/`time_end` are sent as dates (`dd.mm.yyyy`).
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
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

DAY, MOMENT = "%d.%m.%Y", "%d.%m.%Y %H:%M"
SOURCE = "clinic-site"
CANCELLED = frozenset({"canceled", "cancelled"})
NOT_FOUND = "404"  # getPatient's code for "no such patient" (assumed, see above)


class RenovatioMis:
    """MisAdapter over Renovatio's public API."""

    name = "renovatio"

    # What MIS_ADAPTER=renovatio is built from: keyword -> setting (integrations.mis.ADAPTERS).
    SETTINGS: ClassVar[dict[str, str]] = {
        "url": "RENOVATIO_URL",
        "api_key": "RENOVATIO_API_KEY",
        "time_zone": "RENOVATIO_TIME_ZONE",
        "timeout": "RENOVATIO_TIMEOUT",
        "step": "RENOVATIO_STEP",
        "service_minutes": "RENOVATIO_SERVICE_MINUTES",
    }

    def __init__(
        self,
        *,
        url: str,
        api_key: str,
        time_zone: str = "Europe/Moscow",
        timeout: float = 10.0,
        step: int = 15,
        service_minutes: int = 30,
    ):
        self.url = url.rstrip("/")
        self.time_zone = time_zone
        self.timeout = timeout
        self.step = step
        self.service_minutes = service_minutes
        # Renovatio's free slot: its own `step` grid, lunch closed (no slots there).
        self.slot_policy = SlotPolicy(grid_minutes=step, buffer_minutes=0, breaks_block=True)
        self._api_key = api_key
        self._zone = ZoneInfo(time_zone)
        self._http = httpx.Client(timeout=timeout)

    # --- the MisAdapter port ---------------------------------------------

    def ping(self) -> MisStatus:
        clinics = _items(self._call("getClinics"))
        return MisStatus(system=self.name, ok=True, detail=f"Renovatio, {len(clinics)} clinic(s)")

    def branches(self) -> list[Branch]:
        return [
            Branch(
                str(c["id"]),
                c.get("title") or "",
                c.get("address") or "",
                c.get("mobile") or "",
                self.time_zone,
            )
            for c in _items(self._call("getClinics"))
        ]

    def specialties(self) -> list[Specialty]:
        return [
            Specialty(str(p["id"]), p.get("name") or "")
            for p in _items(self._call("getProfessions"))
        ]

    def services(self) -> list[Service]:
        return [
            Service(
                external_id=str(s["service_id"]),
                code="",
                name=s.get("title") or "",
                specialty_id=None,
                duration_minutes=self.service_minutes,
                price=Decimal(str(s.get("price") or 0)),
            )
            for s in _items(self._call("getServices"))
        ]

    def doctors(self) -> list[Doctor]:
        doctors = []
        for user in _items(self._call("getUsers")):
            last, first, middle = [*(user.get("name") or "").split(maxsplit=2), "", "", ""][:3]
            doctors.append(
                Doctor(
                    external_id=str(user["id"]),
                    last_name=last,
                    first_name=first,
                    middle_name=middle,
                    specialty_ids=tuple(str(p) for p in user.get("profession") or ()),
                    branch_ids=tuple(str(c) for c in user.get("clinic") or ()),
                    service_ids=(),
                )
            )
        return doctors

    def schedule(self, *, start: date, end: date) -> Schedule:
        slots = self._slots(start=start, end=end)
        return Schedule(
            work=tuple(
                WorkInterval(doctor, clinic, first, last)
                for (doctor, clinic), first, last in _runs(slots, busy_only=False)
            ),
            busy=tuple(
                BusyInterval(doctor, first, last)
                for (doctor, _clinic), first, last in _runs(slots, busy_only=True)
            ),
        )

    def book(self, request: BookingRequest) -> MisAppointment:
        patient_id = request.patient.external_id or self._known_patient_id(request.patient)
        found = self._booked(request, patient_id) if patient_id else None
        if found is not None:
            return found
        patient = request.patient
        form = {
            "doctor_id": request.doctor_id,
            "clinic_id": request.branch_id,
            "time_start": self._wall_clock(request.start),
            "time_end": self._wall_clock(request.end),
            "check_intersection": "1",
            "source": SOURCE,
            "comment": _mark(request.idempotency_key),
        }
        if patient_id:
            form["patient_id"] = patient_id
        else:
            form |= {
                "last_name": patient.last_name,
                "first_name": patient.first_name,
                "third_name": patient.middle_name,
                "mobile": patient.phone,
                "email": patient.email,
            }
            if patient.birth_date:
                form["birth_date"] = patient.birth_date.strftime(DAY)
        if request.service_id:
            form["services"] = json.dumps([{"service_id": request.service_id, "count": 1}])
        try:
            data = self._call("createAppointment", form)
        except RenovatioError as refused:
            if not self._still_free(request):
                raise SlotTaken(str(refused)) from refused
            raise
        appointment_id = data.get("appointment_id") if isinstance(data, dict) else data
        return MisAppointment(str(appointment_id), request.doctor_id, request.start, request.end)

    def cancel(self, *, appointment_id: str, idempotency_key: str) -> None:
        self._call(
            "cancelAppointment",
            {"appointment_id": appointment_id, "comment": _mark(idempotency_key), "source": SOURCE},
        )

    def find_patients(
        self, *, phone: str, birth_date: date | None = None, last_name: str = ""
    ) -> list[Patient]:
        form = {"mobile": phone}
        if birth_date:
            form["birth_date"] = birth_date.strftime(DAY)
        try:
            found = _items(self._call("getPatient", form))
        except RenovatioError as error:
            if str(error.code) == NOT_FOUND:  # "not found" is no patient, not a failure
                return []
            raise
        patients = [
            Patient(
                last_name=p.get("last_name") or "",
                first_name=p.get("first_name") or "",
                middle_name=p.get("third_name") or "",
                birth_date=_date(p.get("birth_date")),
                phone=p.get("mobile") or phone,
                email=p.get("email") or "",
                external_id=str(p["id"]),
            )
            for p in found
        ]
        fold = last_name.casefold().replace("ё", "е")
        return [p for p in patients if not fold or p.last_name.casefold().replace("ё", "е") == fold]

    # --- the lost answer and the refused booking ------------------------------

    def _known_patient_id(self, patient: Patient) -> str:
        """The MIS's id of this patient (same phone, birth date and name), "" if new."""
        for known in self.find_patients(phone=patient.phone, birth_date=patient.birth_date):
            same_name = (known.last_name, known.first_name) == (
                patient.last_name,
                patient.first_name,
            )
            if same_name:
                return known.external_id
        return ""

    def _booked(self, request: BookingRequest, patient_id: str) -> MisAppointment | None:
        """An active booking of this patient with this doctor at this time, made by this request."""
        day = request.start.astimezone(self._zone).strftime(DAY)
        rows = _items(
            self._call(
                "getAppointments", {"patient_id": patient_id, "date_from": day, "date_to": day}
            )
        )
        wanted = (self._wall_clock(request.start), self._wall_clock(request.end))
        for row in rows:
            if (
                str(row.get("doctor_id")) == request.doctor_id
                and (row.get("time_start"), row.get("time_end")) == wanted
                and str(row.get("status") or "").casefold() not in CANCELLED
                and ("comment" not in row or _mark(request.idempotency_key) in row["comment"])
            ):
                return MisAppointment(str(row["id"]), request.doctor_id, request.start, request.end)
        return None

    def _still_free(self, request: BookingRequest) -> bool:
        day = request.start.astimezone(self._zone).date()
        slots = self._slots(start=day, end=day, doctor_id=request.doctor_id)
        inside = [s for s in slots if s[2] < request.end and request.start < s[3]]
        covered = sum(((s[3] - s[2]) for s in inside), timedelta())
        return covered >= request.end - request.start and not any(s[4] for s in inside)

    # --- the schedule's slots -------------------------------------------------------

    def _slots(self, *, start: date, end: date, doctor_id: str = "") -> list[tuple]:
        """(doctor, clinic, start, end, is_busy) of every slot, busy and past ones included."""
        form = {
            "time_start": start.strftime(DAY),
            "time_end": end.strftime(DAY),
            "step": str(self.step),
            "mode": "slots",
            "all_clinics": "1",
            "show_busy": "1",
            "show_past": "1",
        }
        if doctor_id:
            form["user_id"] = doctor_id
        data = self._call("getSchedule", form) or {}
        groups = data.values() if isinstance(data, dict) else [data]
        slots = []
        for group in groups:
            for slot in _items(group):
                day = slot["date"]
                slots.append(
                    (
                        str(slot["user_id"]),
                        str(slot.get("clinic_id") or ""),
                        self._aware(f"{day} {slot['time_start_short']}"),
                        self._aware(f"{day} {slot['time_end_short']}"),
                        bool(int(slot.get("is_busy") or 0)),
                    )
                )
        return sorted(slots)

    # --- HTTP -------------------------------------------------------------------

    def _aware(self, text: str) -> datetime:
        return datetime.strptime(text, MOMENT).replace(tzinfo=self._zone)

    def _wall_clock(self, moment: datetime) -> str:
        return moment.astimezone(self._zone).strftime(MOMENT)

    def _call(self, method: str, form: dict[str, str] | None = None) -> Any:
        try:
            response = self._http.post(
                f"{self.url}/{method}", data={"api_key": self._api_key, **(form or {})}
            )
        except httpx.HTTPError as exc:  # refused, reset, timed out
            raise MisUnavailable(f"Renovatio {method}: {type(exc).__name__}") from exc
        if response.status_code >= 500:
            raise MisUnavailable(f"Renovatio {method}: HTTP {response.status_code}")
        try:
            answer = response.json()
        except ValueError as exc:
            raise MisError(f"Renovatio {method}: HTTP {response.status_code}, not JSON") from exc
        if response.status_code >= 400 or not isinstance(answer, dict):
            raise MisError(f"Renovatio {method}: HTTP {response.status_code}")
        if str(answer.get("error", 0)) != "0":
            detail = answer.get("data") if isinstance(answer.get("data"), dict) else {}
            error = RenovatioError(
                f"Renovatio {method}: {detail.get('code', '')} {detail.get('desc', '')}".strip()
            )
            error.code = detail.get("code")
            raise error
        return answer.get("data")


class RenovatioError(MisError):
    """`error=1`: `code` is Renovatio's (not public: only shown, and compared to NOT_FOUND)."""

    code: Any = None


def _items(data: Any) -> list[dict]:
    """`data` as a list: Renovatio sends one object bare."""
    if data is None:
        return []
    return [data] if isinstance(data, dict) else list(data)


def _runs(slots: list[tuple], *, busy_only: bool):
    """(doctor, clinic), start, end of each run of back-to-back slots (busy ones only)."""
    run = None
    for doctor, clinic, start, end, busy in slots:
        if busy_only and not busy:
            continue
        if run and run[0] == (doctor, clinic) and run[2] == start:
            run[2] = end
            continue
        if run:
            yield tuple(run)
        run = [(doctor, clinic), start, end]
    if run:
        yield tuple(run)


def _date(text: str | None) -> date | None:
    return datetime.strptime(text, DAY).date() if text else None


def _mark(idempotency_key: str) -> str:
    return f"site:{idempotency_key}"
