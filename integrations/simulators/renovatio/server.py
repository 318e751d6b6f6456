"""The Renovatio simulator: its public API (form POST with `api_key`, `{error, data}` answers).

Written from the public record, not from our adapter: help.rnova.org's "Работа
с API" page (the method list the aggregators need) and public clients (a
WordPress plugin, a Node.js service, Bitrix gates, Swift and jQuery
front-ends), summarised in ../shared/MIS-PROTOCOLS.md section 6. Each method
below names what it follows. Modelled quirks: every error is HTTP 200 with
`error=1` and `data = {code, desc}`; `data` is an object when one thing is
returned and a list (or a map) otherwise; `getSchedule` hides busy slots unless
`show_busy=1` and past ones unless `show_past=1`, its slots `step` minutes
long; `createAppointment` refuses overlaps only with `check_intersection=1`;
phones are kept as `+7…` whatever way they were typed; there is no
idempotency key. The error codes are this simulator's own (the public record
gives none): 401 for the key, 400 for a bad request, 404 for an unknown id,
409 for a taken time.
"""

from __future__ import annotations

import hmac
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import Message
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from integrations.ports import BookingRequest, MisError, Patient, SlotTaken
from integrations.simulators import register
from integrations.simulators._mis_http import MisHttpSimulator, MisKnobs, Reply

API_PATH = "/api/public"
DEMO_API_KEY = "renovatio-demo-key"
DAY, MOMENT = "%d.%m.%Y", "%d.%m.%Y %H:%M"
STEPS = (10, 15, 20, 30, 60)

# Fields each method takes (the public sources'), `api_key` besides; strict mode
# refuses any other method or field.
FIELDS: dict[str, frozenset[str]] = {
    "getClinics": frozenset({"show_all", "show_deleted"}),
    "getProfessions": frozenset({"show_all", "show_deleted"}),
    "getUsers": frozenset({"clinic_id", "show_all", "show_deleted"}),
    "getServiceCategories": frozenset({"show_deleted"}),
    "getServices": frozenset({"show_all", "show_deleted", "category_id", "clinic_id"}),
    "getSchedule": frozenset(
        {
            "clinic_id",
            "user_id",
            "service_id",
            "time_start",
            "time_end",
            "step",
            "mode",
            "use_doctor_avg_time",
            "all_clinics",
            "show_busy",
            "show_past",
            "show_all",
            "source",
        }
    ),
    "createAppointment": frozenset(
        {
            "doctor_id",
            "clinic_id",
            "time_start",
            "time_end",
            "patient_id",
            "first_name",
            "last_name",
            "third_name",
            "mobile",
            "email",
            "birth_date",
            "source",
            "comment",
            "check_intersection",
            "services",
        }
    ),
    "cancelAppointment": frozenset({"appointment_id", "comment", "source", "reason"}),
    "getAppointments": frozenset(
        {"appointment_id", "date_from", "date_to", "patient_id", "offset", "limit"}
    ),
    "getPatient": frozenset({"patient_id", "mobile", "birth_date"}),
}


class ApiError(Exception):
    """Answered as HTTP 200 `{"error": 1, "data": {"code": code, "desc": desc}}`."""

    def __init__(self, code: int, desc: str):
        super().__init__(desc)
        self.code = code
        self.desc = desc


@dataclass
class RenovatioKnobs(MisKnobs):
    api_key: str = DEMO_API_KEY
    strict: bool = True  # refuse methods and fields the public contract does not have


def normalise_phone(text: str) -> str:
    """A Russian mobile as Renovatio keeps it: `+7` and ten digits (8…, 7…, spaces, dashes)."""
    digits = re.sub(r"\D", "", text or "")
    if len(digits) == 11 and digits[0] in "78":
        digits = digits[1:]
    return "+7" + digits if len(digits) == 10 else (text or "")


@register("renovatio")
class RenovatioSimulator(MisHttpSimulator):
    """Extra knobs: api_key, strict, lose_create_answers; `appointments` is its book."""

    knobs_class = RenovatioKnobs
    path = API_PATH
    methods = ("POST",)
    error_reply = Reply.json({"error": 1, "data": {"code": 500, "desc": "internal error"}})

    def _build(self) -> None:
        super()._build()
        # appointment id -> its row as getAppointments answers it (plus the UTC instants).
        self.appointments: dict[str, dict[str, Any]] = {}
        self._overlapping = 0

    def banner_notes(self) -> str:
        return f"api_key {self.knobs.api_key}"

    # --- HTTP -------------------------------------------------------------------

    def answer(self, method: str, path: str, headers: Message, body: bytes) -> Reply:
        route = urlsplit(path).path
        name = route.removeprefix(API_PATH + "/").strip("/")
        form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        try:
            if not route.startswith(API_PATH + "/") or name not in FIELDS:
                raise ApiError(404, f"unknown method {name}")
            if not hmac.compare_digest(form.pop("api_key", ""), self.knobs.api_key):
                raise ApiError(401, "invalid api_key")
            unknown = set(form) - FIELDS[name]
            if self.knobs.strict and unknown:
                raise ApiError(400, f"unknown fields {sorted(unknown)}")
            data = getattr(self, "_" + name)(form)
        except ApiError as error:
            return _answer({"error": 1, "data": {"code": error.code, "desc": error.desc}})
        except (ValueError, KeyError) as error:
            return _answer({"error": 1, "data": {"code": 400, "desc": str(error)}})
        if name == "createAppointment" and self.lose_this_answer():
            return self.lost_answer
        return _answer({"error": 0, "data": data})

    # --- the directory -----------------------------------------------------------

    def _getClinics(self, form: dict) -> list[dict]:  # noqa: N802 - the method's name
        """getClinics: `{id, title, mobile, email, address}` (help.rnova.org, the plugins)."""
        return [
            {
                "id": b.external_id,
                "title": b.name,
                "mobile": normalise_phone(b.phone),
                "email": "",
                "address": b.address,
            }
            for b in self.mis.branches()
        ]

    def _getProfessions(self, form: dict) -> list[dict]:  # noqa: N802
        """getProfessions: `{id, name, doctor_name}` (help.rnova.org, the Bitrix sync)."""
        return [
            {"id": s.external_id, "name": s.name, "doctor_name": s.name}
            for s in self.mis.specialties()
        ]

    def _getUsers(self, form: dict) -> list[dict]:  # noqa: N802
        """getUsers: the doctors, `{id, name, avatar_small, profession, profession_titles,
        clinic}` with id lists (help.rnova.org, the Node.js service)."""
        titles = {s.external_id: s.name for s in self.mis.specialties()}
        clinic = form.get("clinic_id")
        return [
            {
                "id": d.external_id,
                "name": " ".join(p for p in (d.last_name, d.first_name, d.middle_name) if p),
                "avatar_small": "",
                "profession": list(d.specialty_ids),
                "profession_titles": [titles.get(s, "") for s in d.specialty_ids],
                "clinic": list(d.branch_ids),
            }
            for d in self.mis.doctors()
            if not clinic or clinic in d.branch_ids
        ]

    def _getServiceCategories(self, form: dict) -> list[dict]:  # noqa: N802
        """getServiceCategories: `{id, title, services_count}` (help.rnova.org); the
        simulator's categories are the specialties the services belong to."""
        services = self.mis.services()
        return [
            {
                "id": s.external_id,
                "title": s.name,
                "services_count": sum(v.specialty_id == s.external_id for v in services),
            }
            for s in self.mis.specialties()
        ]

    def _getServices(self, form: dict) -> list[dict]:  # noqa: N802
        """getServices: `{service_id, title, price}` (help.rnova.org, the WordPress plugin)."""
        category = form.get("category_id")
        return [
            {"service_id": s.external_id, "title": s.name, "price": float(s.price)}
            for s in self.mis.services()
            if not category or s.specialty_id == category
        ]

    # --- the schedule -------------------------------------------------------------

    def _getSchedule(self, form: dict) -> dict[str, list[dict]]:  # noqa: N802
        """getSchedule in `slots` mode: `data` keyed by user id, each slot `{user_id,
        clinic_id, date, time_start_short, time_end_short, time, room, is_busy}`;
        busy slots only with show_busy=1, past ones only with show_past=1, `step`
        10/15/20/30/60 minutes (the WordPress plugin's getSchedule call)."""
        if form.get("mode", "slots") != "slots":
            raise ApiError(400, "this simulator serves mode=slots only")
        step = int(form.get("step") or 30)
        if step not in STEPS:
            raise ApiError(400, f"step is one of {STEPS}")
        first = _day(form["time_start"])
        last = _day(form.get("time_end") or form["time_start"])
        if last < first or (last - first).days > 62:
            raise ApiError(400, "time_start..time_end must be 0..62 days")
        users = {u for u in (form.get("user_id") or "").split(",") if u}
        clinic = "" if form.get("all_clinics") == "1" else form.get("clinic_id", "")
        show_busy, show_past = form.get("show_busy") == "1", form.get("show_past") == "1"
        schedule = self.mis.schedule(start=first - timedelta(days=1), end=last + timedelta(days=1))
        taken = [*schedule.busy, *schedule.breaks, *self._overlapping_visits()]
        now = self.now()
        answer: dict[str, list[dict]] = {}
        for work in sorted(schedule.work, key=lambda w: (w.doctor_id, w.start)):
            if (users and work.doctor_id not in users) or (clinic and work.branch_id != clinic):
                continue
            start = work.start
            while start + timedelta(minutes=step) <= work.end:
                end = start + timedelta(minutes=step)
                local = self._local(start)
                busy = any(
                    t.doctor_id == work.doctor_id and t.start < end and start < t.end for t in taken
                )
                if (
                    first <= local.date() <= last
                    and (show_busy or not busy)
                    and (show_past or local >= now)
                ):
                    answer.setdefault(work.doctor_id, []).append(
                        _slot(work.doctor_id, work.branch_id, local, self._local(end), busy)
                    )
                start = end
        return answer

    def _overlapping_visits(self) -> list:
        """Visits booked with check_intersection=0 (the demo's book refuses overlaps)."""
        with self.lock:
            rows = [a for a in self.appointments.values() if a["_overlapping"]]
        return [
            _Visit(a["doctor_id"], a["_start"], a["_end"])
            for a in rows
            if a["status"] != "canceled"
        ]

    # --- appointments and patients ---------------------------------------------

    def _createAppointment(self, form: dict) -> dict:  # noqa: N802
        """createAppointment: `doctor_id`, `clinic_id`, `time_start`/`time_end` as
        "dd.mm.yyyy HH:MM", `patient_id` or first/last name + mobile, `check_intersection`
        (1: refuse overlaps; 0: allow them), `services` as JSON; `data` is
        `{appointment_id}` (help.rnova.org, the WordPress plugin and the Bitrix gate)."""
        start = self._aware(form["time_start"])
        end = self._aware(form["time_end"])
        if end <= start:
            raise ApiError(400, "time_end must be after time_start")
        patient = self._patient_for(form)
        if form.get("services"):
            json.loads(form["services"])  # a JSON list [{service_id, count}]
        overlapping = form.get("check_intersection") != "1"
        with self.lock:
            # Each call is a new visit: Renovatio has no idempotency key.
            request = BookingRequest(
                idempotency_key=f"renovatio-{len(self.appointments)}",
                doctor_id=form["doctor_id"],
                branch_id=form.get("clinic_id", ""),
                service_id="",
                start=start,
                end=end,
                patient=patient,
            )
            if overlapping:
                self._overlapping += 1
                appointment_id = f"ap-ov-{self._overlapping}"
            else:
                try:
                    appointment_id = self.book(request, lunch_is_open=False).external_id
                except SlotTaken as exc:
                    raise ApiError(409, f"the time is taken: {exc}") from exc
                except MisError as exc:
                    raise ApiError(400, str(exc)) from exc
            self.appointments[appointment_id] = {
                "id": appointment_id,
                "patient_id": patient.external_id,
                "doctor_id": request.doctor_id,
                "clinic_id": request.branch_id,
                "time_start": self._local(start).strftime(MOMENT),
                "time_end": self._local(end).strftime(MOMENT),
                "status": "upcoming",
                "comment": form.get("comment", ""),
                "_start": start,
                "_end": end,
                "_overlapping": overlapping,
            }
        return {"appointment_id": appointment_id}

    def _patient_for(self, form: dict) -> Patient:
        if form.get("patient_id"):
            with self.lock:
                patient = self.patients.get(form["patient_id"])
            if patient is None:
                raise ApiError(404, f"no patient {form['patient_id']}")
            return patient
        birth = form.get("birth_date")
        return self.add_patient(
            Patient(
                last_name=form["last_name"],
                first_name=form["first_name"],
                middle_name=form.get("third_name", ""),
                phone=normalise_phone(form["mobile"]),
                email=form.get("email", ""),
                birth_date=_day(birth) if birth else None,
            )
        )

    def _cancelAppointment(self, form: dict) -> bool:  # noqa: N802
        """cancelAppointment: `appointment_id`, `comment`, `source` (clients add `reason`);
        help.rnova.org and the Bitrix gate."""
        appointment_id = form["appointment_id"]
        with self.lock:
            row = self.appointments.get(appointment_id)
            if row is None:
                raise ApiError(404, f"no appointment {appointment_id}")
            row["status"] = "canceled"
        self.mis.cancel(appointment_id=appointment_id, idempotency_key=appointment_id)
        return True

    def _getAppointments(self, form: dict) -> list[dict] | dict:  # noqa: N802
        """getAppointments: by `appointment_id` (one object) or `date_from`/`date_to`
        (dd.mm.yyyy) and `patient_id`, paged by `offset`/`limit` (the Node.js service)."""
        with self.lock:
            rows = [dict(r) for r in self.appointments.values()]
        if form.get("appointment_id"):
            found = [r for r in rows if r["id"] == form["appointment_id"]]
            if not found:
                raise ApiError(404, f"no appointment {form['appointment_id']}")
            return _public(found[0])
        if form.get("date_from"):
            rows = [r for r in rows if self._local(r["_start"]).date() >= _day(form["date_from"])]
        if form.get("date_to"):
            rows = [r for r in rows if self._local(r["_start"]).date() <= _day(form["date_to"])]
        if form.get("patient_id"):
            rows = [r for r in rows if r["patient_id"] == form["patient_id"]]
        offset, limit = int(form.get("offset") or 0), int(form.get("limit") or 100)
        return [_public(r) for r in rows[offset : offset + limit]]

    def _getPatient(self, form: dict) -> list[dict] | dict:  # noqa: N802
        """getPatient: by `patient_id`, or `mobile` (+ `birth_date`); the phone in any
        spelling (the Swift and jQuery front-ends); one patient is an object."""
        if form.get("patient_id"):
            with self.lock:
                patient = self.patients.get(form["patient_id"])
            if patient is None:
                raise ApiError(404, f"no patient {form['patient_id']}")
            return _patient(patient)
        birth = form.get("birth_date")
        found = self.find_patients(
            phone=normalise_phone(form["mobile"]),
            birth_date=_day(birth) if birth else None,
            last_name="",
        )
        if not found:
            raise ApiError(404, "patient not found")
        return _patient(found[0]) if len(found) == 1 else [_patient(p) for p in found]

    # --- the clinic's wall clock ---------------------------------------------------

    def _local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone).replace(tzinfo=None)

    def _aware(self, text: str) -> datetime:
        return datetime.strptime(text, MOMENT).replace(tzinfo=self.zone)


@dataclass(frozen=True)
class _Visit:
    doctor_id: str
    start: datetime
    end: datetime


def _day(text: str) -> date:
    return datetime.strptime(text.split(" ")[0], DAY).date()


def _slot(doctor_id: str, clinic_id: str, start: datetime, end: datetime, busy: bool) -> dict:
    return {
        "user_id": doctor_id,
        "clinic_id": clinic_id,
        "date": start.strftime(DAY),
        "time_start_short": start.strftime("%H:%M"),
        "time_end_short": end.strftime("%H:%M"),
        "time": f"{start:%H:%M} - {end:%H:%M}",
        "room": "",
        "is_busy": busy,
    }


def _public(row: dict) -> dict:
    return {k: v for k, v in row.items() if not k.startswith("_")}


def _patient(patient: Patient) -> dict:
    return {
        "id": patient.external_id,
        "last_name": patient.last_name,
        "first_name": patient.first_name,
        "third_name": patient.middle_name,
        "birth_date": patient.birth_date.strftime(DAY) if patient.birth_date else "",
        "mobile": normalise_phone(patient.phone),
        "email": patient.email,
    }


def _answer(payload: dict) -> Reply:
    return Reply.json(payload, content_type="application/json; charset=utf-8")
