"""The 1С:Медицина adapter: its HTTP service (JSON, HTTP Basic) through httpx.

Assumed (1C publishes no such service; clinics publish their own HTTP services
from the configuration, and this is our plausible shape; correct it here):
- Resources under `<url>` = `http://host/<base>/hs/clinic/v1`:
  `GET info` (version, serverTime, timeZone), `GET branches`,
  `GET specialties`, `GET services` (id, code = nomenclature code, name,
  specialtyId, durationMinutes, price as a decimal string, online),
  `GET free-slots?doctorId=&serviceId=&from=&to=` (its own free times),
  `GET doctors` (id, names, specialties/branches/services id lists,
  careerStart, category, degree), `GET schedule?from=&to=` ({work: [doctorId,
  branchId, start, end], busy: [...], breaks: [...]}), `GET patients?phone=
  &birthDate=&lastName=`, `POST patients` (find or create -> {id}),
  `POST appointments` ({externalId, doctorId, branchId, serviceId, start,
  end, patientId} -> 201 / 200 {id, doctorId, start, end, status}; the same
  externalId returns the same appointment), `DELETE appointments/<id>` (204,
  also when already cancelled).
- Dates are `YYYY-MM-DDThh:mm:ss` without an offset, on the 1C base's clock
  (`time_zone`), for every branch: 1C keeps one clock for the whole base.
- Errors are JSON {error, message}: 401 AUTH, 404 PATIENT_NOT_FOUND /
  NOT_FOUND, 409 SLOT_TAKEN, 400 BAD_REQUEST; a 5xx or an HTML page is the
  web server's, so "try later".
Price lists travel the other way, by the CommerceML exchange
(integrations/commerceml/), where 1C is the client.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar
from zoneinfo import ZoneInfo

import httpx

from integrations.ports import (
    BookingRequest,
    Branch,
    BreakInterval,
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


class OnecMis:
    """MisAdapter over 1С:Медицина's HTTP service."""

    name = "onec"
    # 1С:Медицина's free slot (assumed): visits back to back from the start of
    # the shift (the step is the service's duration), no buffer, lunch closed.
    slot_policy = SlotPolicy(grid_minutes=None, buffer_minutes=0, breaks_block=True)

    # What MIS_ADAPTER=onec is built from: keyword -> setting (integrations.mis.ADAPTERS).
    SETTINGS: ClassVar[dict[str, str]] = {
        "url": "ONEC_URL",
        "user": "ONEC_USER",
        "password": "ONEC_PASSWORD",
        "time_zone": "ONEC_TIME_ZONE",
        "timeout": "ONEC_TIMEOUT",
    }

    def __init__(
        self,
        *,
        url: str,
        user: str,
        password: str,
        time_zone: str = "Europe/Moscow",
        timeout: float = 10.0,
    ):
        self.url = url.rstrip("/")
        self.time_zone = time_zone
        self.timeout = timeout
        self._zone = ZoneInfo(time_zone)
        self._http = httpx.Client(timeout=timeout, auth=(user, password))

    # --- the MisAdapter port ---------------------------------------------

    def ping(self) -> MisStatus:
        info = self._get("info")
        reported = info.get("timeZone") or ""
        server_time = self._aware(info["serverTime"])
        skew = (server_time - datetime.now(self._zone)).total_seconds()
        extra = {"version": info.get("version", ""), "time_zone": reported}
        extra["clock_skew"] = f"{skew:.0f}"
        if reported and reported != self.time_zone:
            return MisStatus(
                system=self.name,
                ok=False,
                detail=f"MIS keeps {reported}, configured {self.time_zone}",
                extra=extra,
            )
        return MisStatus(
            system=self.name, ok=True, detail=f"1С:Медицина {extra['version']}", extra=extra
        )

    def branches(self) -> list[Branch]:
        return [
            Branch(b["id"], b["name"], b.get("address") or "", b.get("phone") or "", b["timeZone"])
            for b in self._get("branches")
        ]

    def specialties(self) -> list[Specialty]:
        return [Specialty(s["id"], s["name"]) for s in self._get("specialties")]

    def services(self) -> list[Service]:
        return [
            Service(
                external_id=s["id"],
                code=s["code"],
                name=s["name"],
                specialty_id=s.get("specialtyId") or None,
                duration_minutes=int(s["durationMinutes"]),
                price=Decimal(str(s["price"])),
                online=bool(s.get("online")),
            )
            for s in self._get("services")
        ]

    def doctors(self) -> list[Doctor]:
        return [
            Doctor(
                external_id=d["id"],
                last_name=d["lastName"],
                first_name=d["firstName"],
                middle_name=d.get("middleName") or "",
                specialty_ids=tuple(d.get("specialties") or ()),
                branch_ids=tuple(d.get("branches") or ()),
                service_ids=tuple(d.get("services") or ()),
                career_start=date.fromisoformat(d["careerStart"]) if d.get("careerStart") else None,
                category=d.get("category") or "",
                degree=d.get("degree") or "",
            )
            for d in self._get("doctors")
        ]

    def schedule(self, *, start: date, end: date) -> Schedule:
        answer = self._get("schedule", params={"from": start.isoformat(), "to": end.isoformat()})
        return Schedule(
            work=tuple(
                WorkInterval(
                    w["doctorId"],
                    w.get("branchId") or "",
                    self._aware(w["start"]),
                    self._aware(w["end"]),
                )
                for w in answer.get("work") or ()
            ),
            busy=tuple(
                BusyInterval(b["doctorId"], self._aware(b["start"]), self._aware(b["end"]))
                for b in answer.get("busy") or ()
            ),
            breaks=tuple(
                BreakInterval(b["doctorId"], self._aware(b["start"]), self._aware(b["end"]))
                for b in answer.get("breaks") or ()
            ),
        )

    def book(self, request: BookingRequest) -> MisAppointment:
        patient = request.patient
        patient_id = (
            patient.external_id
            or self._send(
                "POST",
                "patients",
                {
                    "lastName": patient.last_name,
                    "firstName": patient.first_name,
                    "middleName": patient.middle_name,
                    "birthDate": patient.birth_date.isoformat() if patient.birth_date else None,
                    "phone": patient.phone,
                    "email": patient.email,
                    "sex": patient.sex,
                },
            )["id"]
        )
        answer = self._send(
            "POST",
            "appointments",
            {
                "externalId": request.idempotency_key,
                "doctorId": request.doctor_id,
                "branchId": request.branch_id,
                "serviceId": request.service_id,
                "start": self._wall_clock(request.start),
                "end": self._wall_clock(request.end),
                "patientId": patient_id,
            },
        )
        return MisAppointment(
            external_id=answer["id"],
            doctor_id=answer["doctorId"],
            start=self._aware(answer["start"]),
            end=self._aware(answer["end"]),
            status=answer.get("status") or "booked",
        )

    def cancel(self, *, appointment_id: str, idempotency_key: str) -> None:
        self._send("DELETE", f"appointments/{appointment_id}")

    def find_patients(
        self, *, phone: str, birth_date: date | None = None, last_name: str = ""
    ) -> list[Patient]:
        params = {"phone": phone}
        if birth_date:
            params["birthDate"] = birth_date.isoformat()
        if last_name:
            params["lastName"] = last_name
        return [
            Patient(
                last_name=p["lastName"],
                first_name=p["firstName"],
                middle_name=p.get("middleName") or "",
                birth_date=date.fromisoformat(p["birthDate"]) if p.get("birthDate") else None,
                phone=p["phone"],
                email=p.get("email") or "",
                external_id=p["id"],
                sex=p.get("sex") or "",
            )
            for p in self._get("patients", params=params)
        ]

    # --- beyond the port ------------------------------------------------------

    def free_slots(
        self, *, doctor_id: str, service_id: str, start: date, end: date
    ) -> list[WorkInterval]:
        """1С:Медицина's own free times (GET free-slots), to check `slot_policy` against."""
        rows = self._get(
            "free-slots",
            params={
                "doctorId": doctor_id,
                "serviceId": service_id,
                "from": start.isoformat(),
                "to": end.isoformat(),
            },
        )
        return [
            WorkInterval(
                r["doctorId"],
                r.get("branchId") or "",
                self._aware(r["start"]),
                self._aware(r["end"]),
            )
            for r in rows
        ]

    # --- HTTP ---------------------------------------------------------------------

    def _aware(self, text: str) -> datetime:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is not None:  # not what 1C sends, but then it says which
            return moment.astimezone(self._zone)
        return moment.replace(tzinfo=self._zone)

    def _wall_clock(self, moment: datetime) -> str:
        return moment.astimezone(self._zone).replace(tzinfo=None).isoformat(timespec="seconds")

    def _get(self, resource: str, *, params: dict | None = None):
        return self._send("GET", resource, params=params)

    def _send(self, method: str, resource: str, payload: dict | None = None, *, params=None):
        try:
            response = self._http.request(
                method, f"{self.url}/{resource}", json=payload, params=params
            )
        except httpx.HTTPError as exc:  # refused, reset, timed out
            raise MisUnavailable(f"1С:Медицина {resource}: {type(exc).__name__}") from exc
        if response.status_code >= 500:
            raise MisUnavailable(f"1С:Медицина {resource}: HTTP {response.status_code}")
        if response.status_code == 204:
            return None
        try:
            answer = response.json()
        except ValueError as exc:
            raise MisError(
                f"1С:Медицина {resource}: HTTP {response.status_code}, not JSON"
            ) from exc
        if response.status_code >= 400:
            error = answer.get("error", "") if isinstance(answer, dict) else ""
            message = answer.get("message", "") if isinstance(answer, dict) else ""
            text = f"1С:Медицина {resource}: HTTP {response.status_code} {error} {message}".strip()
            if error == "SLOT_TAKEN":
                raise SlotTaken(text)
            raise MisError(text)
        return answer
