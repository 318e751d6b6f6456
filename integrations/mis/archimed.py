"""The Архимед (Archimed+) adapter: its general API v5 (JSON, a self-signed HS256 JWT) via httpx.

Public (https://newapi.archimed-soft.ru/docs and …/docs/methods; public client
code; see ../shared/MIS-PROTOCOLS.md section 5):
- Base `<url>` = `https://newapi.archimed-soft.ru/api/v5`; `Authorization:
  Bearer <JWT>`, the JWT made by the client itself: header {alg: HS256, typ:
  JWT}, payload {iss: Api Id, exp: unix time (1 hour recommended), user_id
  optional}, signed HMAC-SHA256 with the Api Secret. There is no token endpoint.
- Lists are paged: `?page=&limit=` -> {data: [...], total, page, limit};
  public clients ask limit=200. v5 ids are integers.
- Resources: `branchs` (sic), `doctors` (branch_id, type_id), `services`
  (group_id), `groupservices`, `specializations`, `talons` (GET with
  doctor_id; POST; DELETE `talons/{id}`), `talonstatuses`, `talondeletereasons`.
- Doctor fields: id, name (surname), name1, name2, types [{id, name}],
  primary_type_id, max_time (minutes per visit), branch_id, branch, category,
  scientific_degree, ...
- Dates in parameters: dd.MM.yyyy.

Specialties are the doctors' `types`: a doctor carries its specialties only
as `types` [{id, name}] in the public record; nothing public links
`specializations` to a doctor, so it is not used.

ASSUMED, every such point here and configurable (a clinic confirms them):
- Free slots: the v5 path is not public; the docdoc v2 shape
  `slot/{doctor_id}/{start}/{end}` (dd.MM.yyyy) is used below the v5 base
  (`slot_path`). Its answer fields are not public either: we read rows of
  {date: dd.MM.yyyy, time: HH:mm, duration: minutes, branch_id}.
- The talon body: not public. `TALON_FIELDS` maps our names to the body's
  keys (`talon_fields`, "ours=theirs,...", overrides any of them; an empty
  key drops the field); the defaults follow the one
  public client that posts a talon (unverified). Times are sent and read
  as date dd.MM.yyyy + time HH:mm on the MIS's clock (`time_zone`).
- Branches carry no zone: every time is on `time_zone`, the MIS's clock.
- Service fields beyond id/name: `code`, `price`, `duration`, `group_id`.
- Deleting a talon: the reason is sent as the query parameter
  `reason_param` (default `reason_id`); `delete_reason` picks it from
  `talondeletereasons` by id or name (empty: the first one).
- Errors: 401/403 (a token refused) -> MisError; 409, or 400/422 whose
  message says the time is taken -> SlotTaken; 5xx -> MisUnavailable.
- Patient search: nothing public, so `find_patients` returns [] (it never
  claims a match it cannot check).

A talon has its own id, so a lost answer to POST talons (timed out, reset,
504) is followed by GET talons?doctor_id= and a look for our time and
patient's phone before anything is sent again: never two talons.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import ClassVar
from zoneinfo import ZoneInfo

import httpx

from integrations.ports import (
    BookingRequest,
    Branch,
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

# Our name -> the key in the POST talons body (assumed; see the docstring).
TALON_FIELDS: dict[str, str] = {
    "doctor_id": "doctor_id",
    "service_id": "service_id",
    "date": "preferred_date",
    "time": "preferred_time",
    "patient_name": "patient_name",
    "patient_phone": "patient_phone",
    "patient_email": "patient_email",
    "comment": "comments",
}
PAGE_LIMIT = 200  # what the public clients ask for
DATE, CLOCK = "%d.%m.%Y", "%H:%M"


class ArchimedMis:
    """MisAdapter over Архимед's API v5."""

    name = "archimed"
    # Архимед hands out its own free slots (one work interval each): no grid
    # of ours on top, no buffer, breaks never offered.
    slot_policy = SlotPolicy(grid_minutes=None, buffer_minutes=0, breaks_block=True)

    SETTINGS: ClassVar[dict[str, str]] = {
        "url": "ARCHIMED_URL",
        "api_id": "ARCHIMED_API_ID",
        "api_secret": "ARCHIMED_API_SECRET",
        "user_id": "ARCHIMED_USER_ID",
        "time_zone": "ARCHIMED_TIME_ZONE",
        "timeout": "ARCHIMED_TIMEOUT",
        "talon_fields": "ARCHIMED_TALON_FIELDS",
        "slot_path": "ARCHIMED_SLOT_PATH",
        "delete_reason": "ARCHIMED_DELETE_REASON",
    }

    def __init__(
        self,
        *,
        url: str,
        api_id: str,
        api_secret: str,
        user_id: str = "",
        time_zone: str = "Europe/Moscow",
        timeout: float = 10.0,
        talon_fields: str | dict[str, str] = "",
        slot_path: str = "slot/{doctor_id}/{start}/{end}",
        delete_reason: str = "",
        reason_param: str = "reason_id",
        page_limit: int = PAGE_LIMIT,
        token_ttl: int = 3600,
    ):
        self.url = url.rstrip("/")
        self.api_id, self._secret, self.user_id = api_id, api_secret.encode(), user_id
        self.time_zone = time_zone
        self.timeout = timeout
        self.talon_fields = {**TALON_FIELDS, **_field_map(talon_fields)}
        self.slot_path = slot_path
        self.delete_reason = delete_reason
        self.reason_param = reason_param
        self.page_limit = page_limit
        self.token_ttl = token_ttl
        self._zone = ZoneInfo(time_zone)
        self._http = httpx.Client(timeout=timeout)

    # --- the MisAdapter port ---------------------------------------------

    def ping(self) -> MisStatus:
        answer = self._send("GET", "branchs", params={"page": 1, "limit": 1})
        return MisStatus(
            system=self.name,
            ok=True,
            detail=f"Архимед API v5, {answer.get('total', 0)} branch(es)",
            extra={"time_zone": self.time_zone},
        )

    def branches(self) -> list[Branch]:
        return [
            Branch(
                str(b["id"]),
                b["name"],
                b.get("address") or "",
                b.get("phone") or "",
                self.time_zone,
            )
            for b in self._all("branchs")
        ]

    def specialties(self) -> list[Specialty]:
        seen: dict[str, str] = {}
        for doctor in self._all("doctors"):
            for kind in doctor.get("types") or ():
                seen.setdefault(str(kind["id"]), kind["name"])
        return [Specialty(key, name) for key, name in seen.items()]

    def services(self) -> list[Service]:
        return [
            Service(
                external_id=str(s["id"]),
                code=s.get("code") or "",
                name=s["name"],
                specialty_id=str(s["group_id"]) if s.get("group_id") is not None else None,
                duration_minutes=int(s.get("duration") or 0),
                price=Decimal(str(s.get("price") or 0)),
            )
            for s in self._all("services")
        ]

    def service_groups(self) -> list[tuple[str, str]]:
        """`groupservices`: (id, name) of each group of services."""
        return [(str(g["id"]), g["name"]) for g in self._all("groupservices")]

    def doctors(self, *, branch_id: str = "") -> list[Doctor]:
        params = {"branch_id": branch_id} if branch_id else {}
        return [
            Doctor(
                external_id=str(d["id"]),
                last_name=d.get("name") or "",
                first_name=d.get("name1") or "",
                middle_name=d.get("name2") or "",
                specialty_ids=tuple(str(t["id"]) for t in d.get("types") or ()),
                branch_ids=(str(d["branch_id"]),) if d.get("branch_id") is not None else (),
                service_ids=(),
                category=d.get("category") or "",
                degree=d.get("scientific_degree") or "",
            )
            for d in self._all("doctors", params)
        ]

    def schedule(self, *, start: date, end: date) -> Schedule:
        work = []
        for doctor in self._all("doctors"):
            for row in self.free_slots(doctor_id=str(doctor["id"]), start=start, end=end):
                work.append(row)
        return Schedule(work=tuple(work))

    def free_slots(self, *, doctor_id: str, start: date, end: date) -> list[WorkInterval]:
        """Архимед's free slots of one doctor on start..end (assumed path and fields)."""
        path = self.slot_path.format(
            doctor_id=doctor_id, start=start.strftime(DATE), end=end.strftime(DATE)
        )
        rows = self._send("GET", path)
        rows = rows.get("data", []) if isinstance(rows, dict) else rows
        answer = []
        for row in rows:
            begins = self._aware(row["date"], row["time"])
            branch = str(row["branch_id"]) if row.get("branch_id") is not None else ""
            minutes = timedelta(minutes=int(row["duration"]))
            answer.append(WorkInterval(doctor_id, branch, begins, begins + minutes))
        return answer

    def book(self, request: BookingRequest) -> MisAppointment:
        # The same request again (an outbox retry) finds the talon it made.
        known = self._find_talon(request)
        if known is not None:
            return known
        body = self._talon_body(request)
        try:
            talon = self._send("POST", "talons", json_body=body)
        except MisUnavailable:
            # The answer may be lost after the talon was stored: look before a retry.
            known = self._find_talon(request)
            if known is not None:
                return known
            raise
        return self._appointment(talon, request.end - request.start)

    def cancel(self, *, appointment_id: str, idempotency_key: str) -> None:
        params = {self.reason_param: self._deletion_reason()}
        with contextlib.suppress(_NotFound):  # deleted already: twice is not an error
            self._send("DELETE", f"talons/{appointment_id}", params=params)

    def find_patients(
        self, *, phone: str, birth_date: date | None = None, last_name: str = ""
    ) -> list[Patient]:
        # Архимед publishes no patient search (see the docstring).
        return []

    # --- talons -----------------------------------------------------------------

    def _talon_body(self, request: BookingRequest) -> dict:
        patient = request.patient
        moment = request.start.astimezone(self._zone)
        values = {
            "doctor_id": _int_or_text(request.doctor_id),
            "service_id": _int_or_text(request.service_id) if request.service_id else None,
            "date": moment.strftime(DATE),
            "time": moment.strftime(CLOCK),
            "patient_name": " ".join(
                p for p in (patient.last_name, patient.first_name, patient.middle_name) if p
            ),
            "patient_phone": patient.phone,
            "patient_email": patient.email,
            "comment": f"site booking {request.idempotency_key}",
        }
        return {self.talon_fields[k]: v for k, v in values.items() if self.talon_fields.get(k)}

    def _find_talon(self, request: BookingRequest) -> MisAppointment | None:
        moment = request.start.astimezone(self._zone)
        wanted = (moment.strftime(DATE), moment.strftime(CLOCK))
        date_key, time_key = self.talon_fields["date"], self.talon_fields["time"]
        phone_key = self.talon_fields.get("patient_phone")
        for talon in self._all("talons", {"doctor_id": request.doctor_id}):
            if (talon.get(date_key), talon.get(time_key)) != wanted or _deleted(talon):
                continue
            if phone_key and talon.get(phone_key) not in (None, request.patient.phone):
                continue
            return self._appointment(talon, request.end - request.start)
        return None

    def _appointment(self, talon: dict, length: timedelta) -> MisAppointment:
        keys = self.talon_fields
        begins = self._aware(talon[keys["date"]], talon[keys["time"]])
        if talon.get("duration"):
            length = timedelta(minutes=int(talon["duration"]))
        return MisAppointment(
            external_id=str(talon["id"]),
            doctor_id=str(talon[keys["doctor_id"]]),
            start=begins,
            end=begins + length,
            status="cancelled" if _deleted(talon) else "booked",
        )

    def _deletion_reason(self) -> int | str:
        reasons = self._all("talondeletereasons")
        for reason in reasons:
            if self.delete_reason in (str(reason["id"]), reason.get("name")):
                return reason["id"]
        if self.delete_reason or not reasons:
            raise MisError(f"Архимед: no talon deletion reason {self.delete_reason!r}")
        return reasons[0]["id"]

    # --- HTTP ---------------------------------------------------------------------

    def token(self, *, now: float | None = None) -> str:
        """A fresh HS256 JWT: {iss: Api Id, exp: now + token_ttl[, user_id]}."""
        claims: dict[str, object] = {
            "iss": self.api_id,
            "exp": int(now or time.time()) + self.token_ttl,
        }
        if self.user_id:
            claims["user_id"] = _int_or_text(self.user_id)
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
        payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
        signed = f"{header}.{payload}".encode()
        return f"{header}.{payload}.{_b64(hmac.new(self._secret, signed, hashlib.sha256).digest())}"

    def _aware(self, day: str, clock: str) -> datetime:
        return datetime.strptime(f"{day} {clock}", f"{DATE} {CLOCK}").replace(tzinfo=self._zone)

    def _all(self, resource: str, params: dict | None = None) -> list[dict]:
        """Every row of a paged list, page after page until `total` is reached."""
        rows: list[dict] = []
        page = 1
        while True:
            answer = self._send(
                "GET", resource, params={**(params or {}), "page": page, "limit": self.page_limit}
            )
            data = answer.get("data") or []
            rows.extend(data)
            if not data or len(rows) >= int(answer.get("total") or 0):
                return rows
            page += 1

    def _send(self, method: str, resource: str, *, params=None, json_body=None):
        headers = {"Authorization": f"Bearer {self.token()}", "Accept": "application/json"}
        try:
            response = self._http.request(
                method, f"{self.url}/{resource}", params=params, json=json_body, headers=headers
            )
        except httpx.HTTPError as exc:  # refused, reset, timed out
            raise MisUnavailable(f"Архимед {resource}: {type(exc).__name__}") from exc
        status = response.status_code
        if status >= 500:
            raise MisUnavailable(f"Архимед {resource}: HTTP {status}")
        if status == 204 or not response.content:
            return {}
        try:
            answer = response.json()
        except ValueError as exc:
            raise MisError(f"Архимед {resource}: HTTP {status}, not JSON") from exc
        if status < 400:
            return answer
        message = answer.get("message", "") if isinstance(answer, dict) else ""
        text = f"Архимед {resource}: HTTP {status} {message}".strip()
        if status in (401, 403):
            raise MisError(f"{text} (the JWT was refused: Api Id, Api Secret or clock)")
        if status == 404:
            raise _NotFound(text)
        if status == 409 or "занят" in message.lower() or "taken" in message.lower():
            raise SlotTaken(text)
        raise MisError(text)


class _NotFound(MisError):
    pass


def _field_map(overrides: str | dict[str, str]) -> dict[str, str]:
    """`ours=theirs,...` (the setting) or a dict; an empty value drops the field."""
    if isinstance(overrides, str):
        pairs = (item.partition("=") for item in overrides.split(",") if item.strip())
        overrides = {ours.strip(): theirs.strip() for ours, _, theirs in pairs}
    unknown = sorted(set(overrides) - set(TALON_FIELDS))
    if unknown:
        raise ValueError(f"talon fields: unknown {unknown}; known: {list(TALON_FIELDS)}")
    return dict(overrides)


def _deleted(talon: dict) -> bool:
    return bool(talon.get("deleted")) or talon.get("status") == "deleted"


def _int_or_text(value: str) -> int | str:
    return int(value) if value.isdigit() else value


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
