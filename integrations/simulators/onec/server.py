"""The 1С:Медицина simulator: its HTTP service (JSON, Basic auth) over the demo clinic.

The shape is assumed (see integrations/mis/onec.py): resources under
`/hs/clinic/v1/`, dates as `YYYY-MM-DDThh:mm:ss` on the 1C base's own wall
clock (the `time_zone` knob) with no offset, errors as JSON
`{"error": CODE, "message": ...}` with 400 / 401 / 404 / 409.
"""

from __future__ import annotations

import base64
import hmac
import json
from datetime import date, datetime, timedelta
from email.message import Message
from urllib.parse import parse_qsl, urlsplit

from integrations.ports import BookingRequest, MisError, Patient, SlotTaken
from integrations.simulators import register
from integrations.simulators._mis_http import MisHttpSimulator, Reply, free_times

ROOT = "/hs/clinic/v1"
VERSION = "simulator 1.0 (clinic HTTP service v1)"
# 1С:Медицина's free time: visits back to back from the start of the shift,
# no gap between them, lunch closed.
GRID_MINUTES, BUFFER_MINUTES, BREAKS_BLOCK = None, 0, True


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@register("onec")
class OnecSimulator(MisHttpSimulator):
    """Extra knobs: user, password (Basic auth of the HTTP service)."""

    def __init__(self, *, user: str = "site", password: str = "onec", **kwargs):  # noqa: S107
        self._login = (user, password)
        self.user, self.password = self._login
        super().__init__(**kwargs)

    def reset(self) -> None:
        super().reset()
        self.user, self.password = self._login

    # --- HTTP -------------------------------------------------------------------

    def answer(self, method: str, path: str, headers: Message, body: bytes) -> Reply:
        split = urlsplit(path)
        if not split.path.startswith(ROOT + "/"):
            return _json(404, {"error": "NOT_FOUND", "message": split.path})
        if not self._authorized(headers.get("Authorization") or ""):
            return _json(
                401,
                {"error": "AUTH", "message": "authentication failed"},
                {"WWW-Authenticate": 'Basic realm="1C"'},
            )
        route = split.path.removeprefix(ROOT + "/").strip("/")
        query = dict(parse_qsl(split.query))
        try:
            payload = json.loads(body) if body else {}
            status, answer = self._route(method, route, query, payload)
        except ApiError as error:
            return _json(error.status, {"error": error.code, "message": error.message})
        except (ValueError, TypeError, KeyError) as error:
            return _json(400, {"error": "BAD_REQUEST", "message": str(error)})
        if status == 204:
            return Reply(204, b"", "application/json")
        return _json(status, answer)

    def _authorized(self, header: str) -> bool:
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(encoded).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return hmac.compare_digest(user, self.user) and hmac.compare_digest(password, self.password)

    def _route(self, method: str, route: str, query: dict, payload: dict) -> tuple[int, object]:
        if method == "GET" and route == "info":
            return 200, {
                "version": VERSION,
                "serverTime": self.now().isoformat(),
                "timeZone": self.knobs.time_zone,
            }
        if method == "GET" and route == "branches":
            return 200, [
                {
                    "id": b.external_id,
                    "name": b.name,
                    "address": b.address,
                    "phone": b.phone,
                    "timeZone": b.time_zone,
                }
                for b in self.mis.branches()
            ]
        if method == "GET" and route == "specialties":
            return 200, [{"id": s.external_id, "name": s.name} for s in self.mis.specialties()]
        if method == "GET" and route == "services":
            return 200, [
                {
                    "id": s.external_id,
                    "code": s.code,
                    "name": s.name,
                    "specialtyId": s.specialty_id,
                    "durationMinutes": s.duration_minutes,
                    "price": format(s.price, "f"),
                    "online": s.online,
                }
                for s in self.mis.services()
            ]
        if method == "GET" and route == "doctors":
            return 200, [
                {
                    "id": d.external_id,
                    "lastName": d.last_name,
                    "firstName": d.first_name,
                    "middleName": d.middle_name,
                    "specialties": list(d.specialty_ids),
                    "branches": list(d.branch_ids),
                    "services": list(d.service_ids),
                    "careerStart": d.career_start.isoformat() if d.career_start else None,
                    "category": d.category,
                    "degree": d.degree,
                }
                for d in self.mis.doctors()
            ]
        if method == "GET" and route == "schedule":
            return 200, self._schedule(query)
        if method == "GET" and route == "free-slots":
            first, last = date.fromisoformat(query["from"]), date.fromisoformat(query["to"])
            if last < first or (last - first).days > 62:
                raise ApiError(400, "BAD_REQUEST", "from..to must be 0..62 days")
            slots = free_times(
                self.mis,
                doctor_id=_required(query, "doctorId"),
                service_id=_required(query, "serviceId"),
                first=first,
                last=last,
                day_of=lambda moment, _branch: self._local(moment).date(),
                grid_minutes=GRID_MINUTES,
                buffer_minutes=BUFFER_MINUTES,
                breaks_block=BREAKS_BLOCK,
            )
            return 200, [
                {
                    "doctorId": query["doctorId"],
                    "branchId": branch_id,
                    "start": self._local(start).isoformat(),
                    "end": self._local(end).isoformat(),
                }
                for start, end, branch_id in slots
            ]
        if method == "GET" and route == "patients":
            birth = query.get("birthDate")
            found = self.find_patients(
                phone=_required(query, "phone"),
                birth_date=date.fromisoformat(birth) if birth else None,
                last_name=query.get("lastName") or "",
            )
            return 200, [_patient(p) for p in found]
        if method == "POST" and route == "patients":
            birth = payload.get("birthDate")
            patient = self.add_patient(
                Patient(
                    last_name=_required(payload, "lastName"),
                    first_name=_required(payload, "firstName"),
                    middle_name=payload.get("middleName") or "",
                    phone=_required(payload, "phone"),
                    birth_date=date.fromisoformat(birth) if birth else None,
                    email=payload.get("email") or "",
                    sex=payload.get("sex") or "",
                )
            )
            return 200, {"id": patient.external_id}
        if method == "POST" and route == "appointments":
            return self._book(payload)
        if method == "DELETE" and route.startswith("appointments/"):
            appointment_id = route.removeprefix("appointments/")
            self.mis.cancel(appointment_id=appointment_id, idempotency_key=appointment_id)
            return 204, None
        raise ApiError(404, "NOT_FOUND", f"{method} {route}")

    def _schedule(self, query: dict) -> dict:
        first, last = date.fromisoformat(query["from"]), date.fromisoformat(query["to"])
        if last < first or (last - first).days > 62:
            raise ApiError(400, "BAD_REQUEST", "from..to must be 0..62 days")
        schedule = self.mis.schedule(start=first - timedelta(days=1), end=last + timedelta(days=1))

        def rows(intervals, with_branch: bool) -> list[dict]:
            answer = []
            for interval in intervals:
                start = self._local(interval.start)
                if not first <= start.date() <= last:
                    continue
                row = {
                    "doctorId": interval.doctor_id,
                    "start": start.isoformat(),
                    "end": self._local(interval.end).isoformat(),
                }
                if with_branch:
                    row["branchId"] = interval.branch_id
                answer.append(row)
            return answer

        return {
            "work": rows(schedule.work, True),
            "busy": rows(schedule.busy, False),
            "breaks": rows(schedule.breaks, False),
        }

    def _book(self, payload: dict) -> tuple[int, dict]:
        with self.lock:
            patient = self.patients.get(_required(payload, "patientId"))
        if patient is None:
            raise ApiError(404, "PATIENT_NOT_FOUND", f"no patient {payload['patientId']}")
        start = self._aware(_required(payload, "start"))
        end = self._aware(_required(payload, "end"))
        if end <= start:
            raise ApiError(400, "BAD_REQUEST", "end must be after start")
        request = BookingRequest(
            idempotency_key=_required(payload, "externalId"),
            doctor_id=_required(payload, "doctorId"),
            branch_id=payload.get("branchId") or "",
            service_id=payload.get("serviceId") or "",
            start=start,
            end=end,
            patient=patient,
        )
        try:
            appointment = self.book(request, lunch_is_open=False)
        except SlotTaken as exc:
            raise ApiError(409, "SLOT_TAKEN", str(exc)) from exc
        except MisError as exc:
            raise ApiError(400, "BAD_REQUEST", str(exc)) from exc
        return 201, {
            "id": appointment.external_id,
            "doctorId": appointment.doctor_id,
            "start": self._local(appointment.start).isoformat(),
            "end": self._local(appointment.end).isoformat(),
            "status": appointment.status,
        }

    def _local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone).replace(tzinfo=None)

    def _aware(self, text: str) -> datetime:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is not None:
            raise ApiError(400, "BAD_REQUEST", "dates carry no offset: the base's own clock")
        return moment.replace(tzinfo=self.zone)


def _required(data: dict, name: str) -> str:
    value = data.get(name)
    if not value:
        raise ApiError(400, "BAD_REQUEST", f"{name} is required")
    return str(value)


def _patient(patient: Patient) -> dict:
    return {
        "id": patient.external_id,
        "lastName": patient.last_name,
        "firstName": patient.first_name,
        "middleName": patient.middle_name,
        "birthDate": patient.birth_date.isoformat() if patient.birth_date else None,
        "sex": patient.sex,
        "phone": patient.phone,
        "email": patient.email,
    }


def _json(status: int, payload: object, headers: dict[str, str] | None = None) -> Reply:
    return Reply(
        status,
        json.dumps(payload, ensure_ascii=False).encode(),
        "application/json; charset=utf-8",
        headers or {},
    )
