"""The Архимед (Archimed+) simulator: its general API v5 over the demo clinic.

Written from the public record (https://newapi.archimed-soft.ru/docs, its
methods page, the docdoc v2 page https://newapi.archimed-soft.ru/docs/docdoc,
public client code; ../shared/MIS-PROTOCOLS.md section 5): a self-signed HS256
JWT in `Authorization: Bearer` ({iss: Api Id, exp}, signed with the Api
Secret), paged lists {data, total, page, limit}, integer ids, the `branchs`
spelling, talons with status and deletion-reason dictionaries.

Where the record is silent the simulator makes one choice and says so:
slot rows {date, time, duration, branch_id}; the talon body keys of the one
public client that posts talons; errors {code, message}. `strict` (on by
default) answers 400 to any query parameter the public contract does not
list and to dates not written dd.MM.yyyy. Quirks: `branchs` (not branches),
`categories` absent (404, as on some installs), ids integers, a deleted
talon gone from GET talons and 404 on a second DELETE.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import Message
from urllib.parse import parse_qsl, urlsplit

from integrations.ports import BookingRequest, MisError, Patient, SlotTaken
from integrations.simulators import register
from integrations.simulators._mis_http import MisHttpSimulator, MisKnobs, Reply, free_times

ROOT = "/api/v5"
MAX_LIMIT = 200

# talonstatuses and talondeletereasons: dictionaries (public names, our rows).
STATUSES = [
    {"id": 1, "name": "Записан"},
    {"id": 2, "name": "Пациент пришёл"},
    {"id": 3, "name": "Удалён"},
]
DELETE_REASONS = [
    {"id": 1, "name": "Отмена пациентом"},
    {"id": 2, "name": "Отмена клиникой"},
    {"id": 3, "name": "Ошибка записи"},
]
BOOKED, DELETED = 1, 3

# Query parameters the public record lists for each list (strict mode).
PAGING = {"page", "limit"}
PARAMS = {
    "branchs": PAGING,
    "doctors": PAGING | {"branch_id", "type_id"},
    "services": PAGING | {"group_id"},
    "groupservices": PAGING,
    "specializations": PAGING,
    "zones": PAGING,
    "scientific_degrees": PAGING,
    "talons": PAGING | {"doctor_id", "service_id", "status_id"},
    "talonstatuses": PAGING,
    "talondeletereasons": PAGING,
}
# The talon body of the public client that posts one (unverified; see the module doc).
TALON_BODY = {
    "doctor_id",
    "service_id",
    "preferred_date",
    "preferred_time",
    "patient_name",
    "patient_phone",
    "patient_email",
    "comments",
}
DATE_RE = re.compile(r"^\d{2}\.\d{2}\.\d{4}$")


@dataclass
class ArchimedKnobs(MisKnobs):
    api_id: str = "archimed-site"
    api_secret: str = "archimed-secret"  # noqa: S105 - the simulator's demo secret
    strict: bool = True
    # The next N POST talons store the talon, then the answer is lost (504).
    lose_talon_answers: int = 0


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@register("archimed")
class ArchimedSimulator(MisHttpSimulator):
    """Knobs beyond MisKnobs: api_id, api_secret, strict, lose_talon_answers."""

    knobs_class = ArchimedKnobs

    def _build(self) -> None:
        super()._build()
        # v5 ids are integers: number the demo clinic's string ids.
        self.ids: dict[str, dict[str, int]] = {}
        self.names: dict[str, dict[int, str]] = {}
        kinds = {
            "branch": self.mis.branches(),
            "type": self.mis.specialties(),
            "service": self.mis.services(),
            "doctor": self.mis.doctors(),
        }
        for kind, rows in kinds.items():
            self.ids[kind] = {row.external_id: n for n, row in enumerate(rows, 1)}
            self.names[kind] = {n: key for key, n in self.ids[kind].items()}
        self.talons: dict[int, dict] = {}
        self.last_talon_id = 1000

    def banner_notes(self) -> str:
        return f"api v5 at {ROOT}, Api Id {self.knobs.api_id} / Api Secret {self.knobs.api_secret}"

    # --- HTTP -------------------------------------------------------------------

    def answer(self, method: str, path: str, headers: Message, body: bytes) -> Reply:
        split = urlsplit(path)
        if not split.path.startswith(ROOT + "/"):
            return _json(404, {"code": 404, "message": "Not Found"})
        try:
            self._check_jwt(headers.get("Authorization") or "")
            route = split.path.removeprefix(ROOT + "/").strip("/")
            query = dict(parse_qsl(split.query))
            payload = json.loads(body) if body else {}
            status, answer = self._route(method, route, query, payload)
        except ApiError as error:
            return _json(error.status, {"code": error.status, "message": error.message})
        except (ValueError, TypeError, KeyError) as error:
            return _json(400, {"code": 400, "message": f"Bad request: {error}"})
        if status == 504:
            return Reply(504, b"<html><body>504 Gateway Time-out</body></html>", "text/html")
        return _json(status, answer)

    def _check_jwt(self, header: str) -> None:
        """The docs' "Авторизация": HS256 over base64url(header).base64url(payload)
        with the Api Secret; iss is the Api Id, exp a unix time."""
        scheme, _, token = header.partition(" ")
        parts = token.split(".")
        if scheme != "Bearer" or len(parts) != 3:
            raise ApiError(401, "Unauthorized: a Bearer JWT is required")
        try:
            head, claims = (json.loads(_unb64(p)) for p in parts[:2])
            signature = _unb64(parts[2])
        except (ValueError, binascii.Error) as exc:
            raise ApiError(401, "Unauthorized: malformed JWT") from exc
        expected = hmac.new(
            self.knobs.api_secret.encode(), f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256
        ).digest()
        if head.get("alg") != "HS256" or not hmac.compare_digest(signature, expected):
            raise ApiError(401, "Unauthorized: signature verification failed")
        if claims.get("iss") != self.knobs.api_id:
            raise ApiError(401, "Unauthorized: unknown Api Id")
        exp = claims.get("exp")
        if not isinstance(exp, int) or exp <= time.time() + self.knobs.clock_skew:
            raise ApiError(401, "Unauthorized: token expired")

    def _route(self, method: str, route: str, query: dict, payload: dict) -> tuple[int, object]:
        parts = route.split("/")
        if method == "GET" and parts[0] == "slot" and len(parts) == 4:
            return 200, self._slots(parts[1], parts[2], parts[3])
        if method == "GET" and len(parts) == 2 and parts[0] == "talons":
            talon = self.talons.get(_int(parts[1]))
            if talon is None or talon["status_id"] == DELETED:
                raise ApiError(404, "Талон не найден")
            return 200, talon
        if method == "POST" and route == "talons":
            return self._create_talon(payload)
        if method == "DELETE" and len(parts) == 2 and parts[0] == "talons":
            return self._delete_talon(_int(parts[1]), query)
        if method == "GET" and route in PARAMS:
            if self.knobs.strict and set(query) - PARAMS[route]:
                raise ApiError(400, f"Unknown parameter(s) {sorted(set(query) - PARAMS[route])}")
            return 200, _page(self._rows(route, query), query)
        raise ApiError(404, f"Not Found: {method} {route}")

    # --- resources ----------------------------------------------------------------

    def _rows(self, route: str, query: dict) -> list[dict]:
        """The rows of one list (docs/methods; fields as public clients read them)."""
        if route == "branchs":
            return [
                {
                    "id": self.ids["branch"][b.external_id],
                    "name": b.name,
                    "address": b.address,
                    "phone": b.phone,
                }
                for b in self.mis.branches()
            ]
        if route in ("specializations", "groupservices"):
            # Groups of services follow the specialties in the demo clinic.
            return [
                {"id": self.ids["type"][s.external_id], "name": s.name}
                for s in self.mis.specialties()
            ]
        if route == "services":
            return [
                row
                for row in map(self._service, self.mis.services())
                if "group_id" not in query or str(row["group_id"]) == query["group_id"]
            ]
        if route == "doctors":
            return [
                row
                for row in map(self._doctor, self.mis.doctors())
                if ("branch_id" not in query or str(row["branch_id"]) == query["branch_id"])
                and (
                    "type_id" not in query
                    or int(query["type_id"]) in {t["id"] for t in row["types"]}
                )
            ]
        if route == "talons":
            with self.lock:
                talons = [t for t in self.talons.values() if t["status_id"] != DELETED]
            return [
                t
                for t in talons
                if all(
                    str(t[k]) == query[k]
                    for k in ("doctor_id", "service_id", "status_id")
                    if k in query
                )
            ]
        if route == "talonstatuses":
            return STATUSES
        if route == "talondeletereasons":
            return DELETE_REASONS
        return []

    def _service(self, service) -> dict:
        group = self.ids["type"].get(service.specialty_id or "")
        return {
            "id": self.ids["service"][service.external_id],
            "name": service.name,
            "code": service.code,
            "price": format(service.price, "f"),
            "duration": service.duration_minutes,
            "group_id": group,
        }

    def _doctor(self, doctor) -> dict:
        """The doctor fields public clients read (MIS-PROTOCOLS.md 5.2)."""
        types = [
            {"id": self.ids["type"][s.external_id], "name": s.name}
            for s in self.mis.specialties()
            if s.external_id in doctor.specialty_ids
        ]
        branch_key = doctor.branch_ids[0] if doctor.branch_ids else ""
        branch = next((b for b in self.mis.branches() if b.external_id == branch_key), None)
        return {
            "id": self.ids["doctor"][doctor.external_id],
            "name": doctor.last_name,
            "name1": doctor.first_name,
            "name2": doctor.middle_name,
            "type": types[0]["name"] if types else "",
            "types": types,
            "primary_type_id": types[0]["id"] if types else None,
            "max_time": self._visit_minutes(doctor),
            "branch_id": self.ids["branch"].get(branch_key),
            "branch": branch.name if branch else "",
            "address": branch.address if branch else "",
            "category": doctor.category,
            "scientific_degree": doctor.degree,
            "user_id": None,
        }

    def _visit_minutes(self, doctor) -> int:
        service = self._first_service(doctor)
        return service.duration_minutes if service else 30

    def _first_service(self, doctor):
        return next((s for s in self.mis.services() if s.external_id in doctor.service_ids), None)

    def _slots(self, doctor_id: str, start: str, end: str) -> list[dict]:
        """docdoc v2 `slot/{doctor_id}/{start}/{end}` (the v5 path is not public);
        dates dd.MM.yyyy as the v4 clients write them; row fields assumed."""
        first, last = _day(start), _day(end)
        if last < first or (last - first).days > 62:
            raise ApiError(400, "The period must be 0..62 days")
        key = self.names["doctor"].get(_int(doctor_id))
        doctor = next((d for d in self.mis.doctors() if d.external_id == key), None)
        if doctor is None:
            raise ApiError(404, "Врач не найден")
        service = self._first_service(doctor)
        if service is None:
            return []
        slots = free_times(
            self.mis,
            doctor_id=doctor.external_id,
            service_id=service.external_id,
            first=first,
            last=last,
            day_of=lambda moment, _branch: self._local(moment).date(),
            grid_minutes=None,
            buffer_minutes=0,
            breaks_block=True,
        )
        return [
            {
                "date": self._local(begins).strftime("%d.%m.%Y"),
                "time": self._local(begins).strftime("%H:%M"),
                "duration": int((ends - begins).total_seconds() // 60),
                "branch_id": self.ids["branch"].get(branch_id),
            }
            for begins, ends, branch_id in slots
        ]

    def _create_talon(self, payload: dict) -> tuple[int, object]:
        """POST talons: the created talon (its body fields are not public)."""
        if not isinstance(payload, dict):
            raise ApiError(400, "A JSON object is required")
        if self.knobs.strict and set(payload) - TALON_BODY:
            raise ApiError(400, f"Unknown field(s) {sorted(set(payload) - TALON_BODY)}")
        doctor_key = self.names["doctor"].get(_int(payload.get("doctor_id")))
        doctor = next((d for d in self.mis.doctors() if d.external_id == doctor_key), None)
        if doctor is None:
            raise ApiError(400, "doctor_id: no such doctor")
        service_key = self.names["service"].get(_int(payload.get("service_id") or 0), "")
        begins = datetime.strptime(
            f"{_text(payload, 'preferred_date')} {_text(payload, 'preferred_time')}",
            "%d.%m.%Y %H:%M",
        ).replace(tzinfo=self.zone)
        service = next((s for s in self.mis.services() if s.external_id == service_key), None)
        minutes = service.duration_minutes if service else self._visit_minutes(doctor)
        surname, _, rest = _text(payload, "patient_name").partition(" ")
        first_name, _, middle = rest.partition(" ")
        with self.lock:
            self.last_talon_id += 1
            talon_id = self.last_talon_id
        request = BookingRequest(
            idempotency_key=f"talon-{talon_id}",
            doctor_id=doctor.external_id,
            branch_id=doctor.branch_ids[0] if doctor.branch_ids else "",
            service_id=service_key,
            start=begins,
            end=begins + timedelta(minutes=minutes),
            patient=Patient(
                last_name=surname,
                first_name=first_name,
                middle_name=middle,
                phone=_text(payload, "patient_phone"),
                email=payload.get("patient_email") or "",
            ),
        )
        try:
            appointment = self.book(request, lunch_is_open=False)
        except SlotTaken as exc:
            raise ApiError(409, "Время уже занято") from exc
        except MisError as exc:
            raise ApiError(400, str(exc)) from exc
        talon = {
            "id": talon_id,
            **{k: payload.get(k) for k in sorted(TALON_BODY)},
            "doctor_id": self.ids["doctor"][doctor.external_id],
            "duration": minutes,
            "status_id": BOOKED,
            "status": STATUSES[0]["name"],
            "appointment": appointment.external_id,
        }
        with self.lock:
            self.talons[talon_id] = talon
            lost = self.knobs.lose_talon_answers > 0
            if lost:
                self.knobs.lose_talon_answers -= 1
        if lost:
            return 504, None
        return 201, {k: v for k, v in talon.items() if k != "appointment"}

    def _delete_talon(self, talon_id: int, query: dict) -> tuple[int, object]:
        """DELETE talons/{id} with a reason from talondeletereasons."""
        reason = query.get("reason_id")
        if self.knobs.strict and (set(query) - {"reason_id"}):
            raise ApiError(400, f"Unknown parameter(s) {sorted(set(query) - {'reason_id'})}")
        if reason is None or _int(reason) not in {r["id"] for r in DELETE_REASONS}:
            raise ApiError(400, "reason_id: a talon deletion reason is required")
        with self.lock:
            talon = self.talons.get(talon_id)
            if talon is None or talon["status_id"] == DELETED:
                raise ApiError(404, "Талон не найден")
            talon["status_id"], talon["status"] = DELETED, STATUSES[2]["name"]
        self.mis.cancel(appointment_id=talon["appointment"], idempotency_key=str(talon_id))
        return 200, {"id": talon_id, "status_id": DELETED}

    def take_by_phone(self, *, doctor_id: str, start: datetime, end: datetime) -> None:
        """The front desk books the time; `doctor_id` is the demo clinic's or v5's."""
        key = self.names["doctor"].get(_int(doctor_id), doctor_id)
        super().take_by_phone(doctor_id=key, start=start, end=end)

    def _local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone).replace(tzinfo=None)


def _page(rows: list, query: dict) -> dict:
    """{data, total, page, limit}: `page` from 1, `limit` at most MAX_LIMIT."""
    page = int(query.get("page") or 1)
    limit = min(int(query.get("limit") or 50), MAX_LIMIT)
    if page < 1 or limit < 1:
        raise ApiError(400, "page and limit start at 1")
    return {
        "data": rows[(page - 1) * limit : page * limit],
        "total": len(rows),
        "page": page,
        "limit": limit,
    }


def _day(text: str) -> date:
    if not DATE_RE.match(text):
        raise ApiError(400, f"Dates are dd.MM.yyyy, not {text!r}")
    return datetime.strptime(text, "%d.%m.%Y").date()


def _int(value: object) -> int:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ApiError(400, f"ids are integers, not {value!r}") from None


def _text(payload: dict, name: str) -> str:
    value = payload.get(name)
    if not value:
        raise ApiError(400, f"{name} is required")
    return str(value)


def _unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _json(status: int, payload: object) -> Reply:
    return Reply(status, json.dumps(payload, ensure_ascii=False).encode(), "application/json")
