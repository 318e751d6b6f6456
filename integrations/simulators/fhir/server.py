"""The FHIR R4 simulator: a small REST server (JSON) over a DemoMis.

Serves the demo clinic (Location, CodeSystem of specialties,
HealthcareService, Practitioner, PractitionerRole, Schedule, Slot), the demo
patient registry (Patient, conditional create), Appointment (conditional
create, read, update to cancel), synthetic lab reports (DiagnosticReport +
Observation) and visits (Encounter + Condition). Searches answer Bundle
searchsets paged by `_count` and `_offset`; errors are OperationOutcomes.
Bearer-token auth.

Knobs (`Knobs`, changeable at runtime): latency, error_rate (500s), outage
("503" | "refused"), time_zone (the offset the server writes instants
with), clock_skew (the server's clock, in its Date header and its "today"),
token, seed, doctors (size of the clinic).
"""

from __future__ import annotations

import email.utils
import json
import random
import sys
import tempfile
import threading
import time as clock
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit
from zoneinfo import ZoneInfo

from integrations.mis.demo import MIS_TIME_ZONE, DemoMis
from integrations.mis.demo_patients import PATIENTS
from integrations.mis.matching import matching
from integrations.ports import BookingRequest, Patient, SlotTaken
from integrations.protocols.fhir import BOOKING_SYSTEM, FHIR_JSON
from integrations.simulators._threaded import ThreadedSimulator
from integrations.simulators.fhir import resources as fhir
from integrations.simulators.fhir.labs import lab_resources, visit_resources

BASE_PATH = "/fhir"
SOFTWARE = ("Clinic FHIR simulator", "1.0")
MAX_COUNT = 10000


@dataclass
class Knobs:
    latency: float = 0.0
    error_rate: float = 0.0
    outage: str | None = None  # None | "503" | "refused"
    time_zone: str = MIS_TIME_ZONE
    clock_skew: float = 0.0
    token: str = "fhir-demo-token"  # noqa: S105 - the simulator's own demo token
    seed: int = 2026
    doctors: int | None = None
    auth_scheme: str = "Bearer"
    error_rng: random.Random = field(default_factory=lambda: random.Random(0), repr=False)  # noqa: S311


class FhirError(Exception):
    """Answered as an OperationOutcome with this HTTP status."""

    def __init__(self, status: int, code: str, diagnostics: str):
        super().__init__(diagnostics)
        self.status = status
        self.code = code
        self.diagnostics = diagnostics


def outcome(code: str, diagnostics: str, severity: str = "error") -> dict:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": diagnostics}],
    }


class SkewedDemoMis(DemoMis):
    """The demo MIS whose "today" follows a simulator's (possibly skewed) clock:
    `knobs.clock_skew` seconds ahead."""

    def __init__(self, *, knobs, **kwargs):
        super().__init__(**kwargs)
        self._knobs = knobs

    def today(self) -> date:
        if self._today:
            return self._today
        return (datetime.now(self._tz) + timedelta(seconds=self._knobs.clock_skew)).date()


class FhirService:
    """The REST interactions on parsed requests: (status, JSON body, headers)."""

    def __init__(self, *, knobs: Knobs, store: Path | str, today: date | None = None):
        self.knobs = knobs
        self.mis = SkewedDemoMis(
            knobs=knobs, seed=knobs.seed, store=store, today=today, doctors=knobs.doctors
        )
        self._patients: dict[str, Patient] = {}
        self._lock = threading.Lock()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.knobs.time_zone)

    def now(self) -> datetime:
        return datetime.now(self.zone) + timedelta(seconds=self.knobs.clock_skew)

    # --- dispatch -----------------------------------------------------------

    def handle(
        self, method: str, path: str, query: dict[str, list[str]], headers: dict, body: bytes
    ) -> tuple[int, dict, dict[str, str]]:
        try:
            self._authenticate(headers.get("authorization", ""))
            if self.knobs.error_rate and self.knobs.error_rng.random() < self.knobs.error_rate:
                raise FhirError(500, "exception", "simulated internal error")
            parts = [p for p in path.removeprefix(BASE_PATH).split("/") if p]
            if method == "GET" and parts == ["metadata"]:
                return 200, self.capability_statement(), {}
            if method == "GET" and len(parts) == 1:
                return 200, self.search(parts[0], query, path), {}
            if method == "GET" and parts[:1] == ["Appointment"] and len(parts) == 2:
                return 200, self.read_appointment(parts[1]), {}
            data = self._json(body) if method in ("POST", "PUT") else {}
            if method == "POST" and parts == ["Appointment"]:
                return self.create_appointment(data, headers.get("if-none-exist", ""))
            if method == "PUT" and parts[:1] == ["Appointment"] and len(parts) == 2:
                return 200, self.update_appointment(parts[1], data), {}
            if method == "POST" and parts == ["Patient"]:
                return self.create_patient(data, headers.get("if-none-exist", ""))
            raise FhirError(404, "not-supported", f"{method} {path} is not supported")
        except FhirError as error:
            return error.status, outcome(error.code, error.diagnostics), {}

    def _authenticate(self, header: str) -> None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != self.knobs.auth_scheme.lower() or token != self.knobs.token:
            raise FhirError(401, "login", "a valid access token is required")

    @staticmethod
    def _json(body: bytes) -> dict:
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise FhirError(400, "structure", "the body is not JSON") from exc
        if not isinstance(data, dict):
            raise FhirError(400, "structure", "the body is not a resource")
        return data

    # --- interactions -------------------------------------------------------------

    def capability_statement(self) -> dict:
        return {
            "resourceType": "CapabilityStatement",
            "status": "active",
            "date": self.now().isoformat(timespec="seconds"),
            "kind": "instance",
            "fhirVersion": "4.0.1",
            "format": ["json"],
            "software": {"name": SOFTWARE[0], "version": SOFTWARE[1]},
            "rest": [
                {
                    "mode": "server",
                    "resource": [
                        {"type": t}
                        for t in (
                            "Location",
                            "CodeSystem",
                            "HealthcareService",
                            "Practitioner",
                            "PractitionerRole",
                            "Schedule",
                            "Slot",
                            "Appointment",
                            "Patient",
                            "DiagnosticReport",
                            "Observation",
                            "Encounter",
                            "Condition",
                        )
                    ],
                }
            ],
        }

    def search(self, resource_type: str, query: dict[str, list[str]], path: str) -> dict:
        one = {name: values[0] for name, values in query.items()}
        mis = self.mis
        if resource_type == "Location":
            found = [fhir.location(b) for b in mis.branches()]
        elif resource_type == "CodeSystem":
            found = [fhir.specialty_code_system(mis.specialties())]
            if one.get("url") and one["url"] != found[0]["url"]:
                found = []
        elif resource_type == "HealthcareService":
            found = [fhir.healthcare_service(s) for s in mis.services()]
        elif resource_type == "Practitioner":
            found = [fhir.practitioner(d) for d in mis.doctors()]
        elif resource_type == "PractitionerRole":
            found = [fhir.practitioner_role(d) for d in mis.doctors()]
        elif resource_type == "Schedule":
            found = fhir.schedules(mis.doctors())
            if one.get("actor"):
                found = [s for s in found if one["actor"] in {a["reference"] for a in s["actor"]}]
        elif resource_type == "Slot":
            found = self._slots(query)
        elif resource_type == "Patient":
            found = self._patients_found(one)
        elif resource_type == "DiagnosticReport":
            found = self._lab_reports(one)
        elif resource_type == "Encounter":
            found = self._visits(one)
        else:
            raise FhirError(404, "not-supported", f"no search for {resource_type}")
        return self._bundle(found, query, path)

    def _slots(self, query: dict[str, list[str]]) -> list[dict]:
        begins, ends = _range(query.get("start", []))
        if begins is None or ends is None or ends <= begins or ends - begins > timedelta(days=62):
            raise FhirError(400, "invalid", "start=ge..&start=lt.. (at most 62 days) is required")
        actor = (query.get("schedule.actor") or [""])[0]
        doctor = actor.removeprefix("Practitioner/") if actor else ""
        found = fhir.slots(self.mis, begins=begins, ends=ends, zone=self.zone, doctor_id=doctor)
        if query.get("schedule"):
            wanted = {f"Schedule/{s.split('/')[-1]}" for s in query["schedule"][0].split(",")}
            found = [s for s in found if s["schedule"]["reference"] in wanted]
        if query.get("status"):
            found = [s for s in found if s["status"] == query["status"][0]]
        return found

    def _known_patients(self) -> list[Patient]:
        with self._lock:
            return [*PATIENTS, *self._patients.values()]

    def _patients_found(self, one: dict[str, str]) -> list[dict]:
        phone = one.get("telecom", "").split("|")[-1]
        if not phone:
            raise FhirError(400, "invalid", "telecom is required")
        birth = one.get("birthdate")
        # `family` here matches the whole surname, case-insensitively (ё = е).
        found = matching(
            self._known_patients(),
            phone=phone,
            birth_date=date.fromisoformat(birth) if birth else None,
            last_name=one.get("family", ""),
        )
        return [fhir.patient(p) for p in found]

    def _lab_reports(self, one: dict[str, str]) -> list[dict]:
        patient_id = one.get("subject", one.get("patient", "")).split("/")[-1]
        if not patient_id:
            raise FhirError(400, "invalid", "subject is required")
        found = lab_resources(
            seed=self.knobs.seed, patient_id=patient_id, today=self.mis.today(), zone=self.zone
        )
        since = one.get("date", "").removeprefix("ge")
        if since:
            first = date.fromisoformat(since[:10])
            kept = {
                r["id"]
                for r in found
                if r["resourceType"] == "DiagnosticReport"
                and datetime.fromisoformat(r["effectiveDateTime"]).date() >= first
            }
            found = [
                r
                for r in found
                if r["id"] in kept
                or (r["resourceType"] == "Observation" and r["id"].rsplit("-", 1)[0] in kept)
            ]
        if one.get("_include") != "DiagnosticReport:result":
            found = [r for r in found if r["resourceType"] == "DiagnosticReport"]
        return found

    def _visits(self, one: dict[str, str]) -> list[dict]:
        patient_id = one.get("subject", one.get("patient", "")).split("/")[-1]
        if not patient_id:
            raise FhirError(400, "invalid", "subject is required")
        found = visit_resources(patient_id=patient_id, today=self.mis.today(), zone=self.zone)
        since = one.get("date", "").removeprefix("ge")
        if since:
            first = date.fromisoformat(since[:10])
            kept = {
                r["id"]
                for r in found
                if r["resourceType"] == "Encounter"
                and datetime.fromisoformat(r["period"]["start"]).date() >= first
            }
            found = [
                r
                for r in found
                if r["id"] in kept
                or (r["resourceType"] == "Condition" and r["encounter"]["reference"][10:] in kept)
            ]
        if one.get("_revinclude") != "Condition:encounter":
            found = [r for r in found if r["resourceType"] == "Encounter"]
        return found

    def _bundle(self, found: list[dict], query: dict[str, list[str]], path: str) -> dict:
        try:
            count = min(int((query.get("_count") or ["100"])[0]), MAX_COUNT)
            offset = int((query.get("_offset") or ["0"])[0])
        except ValueError as exc:
            raise FhirError(400, "invalid", "_count and _offset are integers") from exc
        matches = [r for r in found if r["resourceType"] not in ("Observation", "Condition")]
        page = found[offset : offset + count]
        base = f"{BASE_PATH}{path.removeprefix(BASE_PATH)}"
        plain = {k: v for k, v in query.items() if k != "_offset"}
        links = [{"relation": "self", "url": f"{base}?{urlencode(query, doseq=True)}"}]
        if offset + count < len(found):
            following = {**plain, "_offset": [str(offset + count)]}
            links.append({"relation": "next", "url": f"{base}?{urlencode(following, doseq=True)}"})
        return {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(matches),
            "link": links,
            "entry": [
                {
                    "fullUrl": f"{BASE_PATH}/{r['resourceType']}/{r['id']}",
                    "resource": r,
                    "search": {
                        "mode": "include"
                        if r["resourceType"] in ("Observation", "Condition")
                        else "match"
                    },
                }
                for r in page
            ],
        }

    def read_appointment(self, appointment_id: str) -> dict:
        found = self.mis.appointment(appointment_id=appointment_id)
        if found is None:
            raise FhirError(404, "not-found", f"Appointment/{appointment_id} is not known")
        return fhir.appointment(found, key="", zone=self.zone)

    def update_appointment(self, appointment_id: str, data: dict) -> dict:
        if data.get("resourceType") != "Appointment" or data.get("id") != appointment_id:
            raise FhirError(400, "invalid", "the body must be this Appointment")
        current = self.mis.appointment(appointment_id=appointment_id)
        if current is None:
            raise FhirError(404, "not-found", f"Appointment/{appointment_id} is not known")
        if data.get("status") == "cancelled":
            self.mis.cancel(appointment_id=appointment_id, idempotency_key=appointment_id)
        elif data.get("status") != current.status:
            raise FhirError(422, "business-rule", "only a cancellation can be written")
        return self.read_appointment(appointment_id)

    def create_appointment(self, data: dict, condition: str) -> tuple[int, dict, dict]:
        if data.get("resourceType") != "Appointment" or data.get("status") != "booked":
            raise FhirError(400, "invalid", "a booked Appointment is expected")
        key = _identifier(data, condition)
        existing = self.mis.appointment(idempotency_key=key) if key else None
        if existing is not None:
            return 200, fhir.appointment(existing, key=key, zone=self.zone), {}
        refs = {
            p["actor"]["reference"].split("/")[0]: p["actor"]["reference"].split("/")[-1]
            for p in data.get("participant", [])
            if p.get("actor", {}).get("reference")
        }
        try:
            start = datetime.fromisoformat(data["start"])
            end = datetime.fromisoformat(data["end"])
        except (KeyError, ValueError) as exc:
            raise FhirError(400, "invalid", "start and end instants are required") from exc
        if start.tzinfo is None or end <= start or not refs.get("Practitioner"):
            raise FhirError(400, "invalid", "start < end with offsets, and a Practitioner")
        doctor = refs["Practitioner"]
        self._check_slots(data, doctor, start, end)
        patient_id = refs.get("Patient", "")
        person = next((p for p in self._known_patients() if p.external_id == patient_id), None)
        if person is None:
            raise FhirError(422, "not-found", f"Patient/{patient_id} is not known")
        service = (data.get("serviceType") or [{}])[0].get("coding", [{}])[0].get("code", "")
        request = BookingRequest(
            idempotency_key=key or f"fhir-{doctor}-{start.isoformat()}",
            doctor_id=doctor,
            branch_id=refs.get("Location", ""),
            service_id=service,
            start=start,
            end=end,
            patient=person,
        )
        try:
            booked = self.mis.book(request)
        except SlotTaken as exc:
            raise FhirError(409, "conflict", str(exc)) from exc
        answer = fhir.appointment(booked, key=key, zone=self.zone, patient_id=patient_id)
        return 201, answer, {"Location": f"{BASE_PATH}/Appointment/{booked.external_id}"}

    def _check_slots(self, data: dict, doctor: str, start: datetime, end: datetime) -> None:
        """Every referenced Slot must be free, and together they must cover [start, end)."""
        wanted = {s.get("reference", "").split("/")[-1] for s in data.get("slot", [])}
        if not wanted:
            raise FhirError(400, "required", "an Appointment books Slots: slot is required")
        current = {
            s["id"]: s
            for s in fhir.slots(
                self.mis,
                begins=start - timedelta(days=1),
                ends=end,
                zone=self.zone,
                doctor_id=doctor,
            )
        }
        chosen = sorted(
            (current[i] for i in wanted if i in current and current[i]["status"] == "free"),
            key=lambda s: s["start"],
        )
        if len(chosen) != len(wanted):
            raise FhirError(409, "conflict", "a referenced Slot is not free")
        cursor = start
        for slot in chosen:
            if datetime.fromisoformat(slot["start"]) > cursor:
                break
            cursor = max(cursor, datetime.fromisoformat(slot["end"]))
        if cursor < end:
            raise FhirError(409, "conflict", "the Slots do not cover the appointment")

    def create_patient(self, data: dict, condition: str) -> tuple[int, dict, dict]:
        if data.get("resourceType") != "Patient":
            raise FhirError(400, "invalid", "a Patient is expected")
        person = _patient_from(data)
        if not person.phone or not person.last_name:
            raise FhirError(422, "required", "a phone and a family name are required")
        if condition:
            terms = {k: v[0] for k, v in parse_qs(condition).items()}
            found = self._patients_found(terms)
            if len(found) > 1:
                raise FhirError(412, "multiple-matches", "the condition matches several patients")
            if found:
                return 200, found[0], {}
        with self._lock:
            person = Patient(
                **{**vars(person), "external_id": f"pt-fhir-{len(self._patients) + 1:05d}"}
            )
            self._patients[person.external_id] = person
        return 201, fhir.patient(person), {}


def _identifier(data: dict, condition: str) -> str:
    if condition:
        value = parse_qs(condition).get("identifier", [""])[0]
        system, _, key = value.rpartition("|")
        if system not in ("", BOOKING_SYSTEM):
            raise FhirError(400, "invalid", f"unknown identifier system {system}")
        return key
    return next(
        (
            i.get("value", "")
            for i in data.get("identifier", [])
            if i.get("system") == BOOKING_SYSTEM
        ),
        "",
    )


def _patient_from(data: dict) -> Patient:
    name = (data.get("name") or [{}])[0]
    given = name.get("given") or []
    telecom = data.get("telecom") or []
    birth = data.get("birthDate")
    return Patient(
        last_name=name.get("family", ""),
        first_name=given[0] if given else "",
        middle_name=" ".join(given[1:]),
        phone=next((t.get("value", "") for t in telecom if t.get("system") == "phone"), ""),
        email=next((t.get("value", "") for t in telecom if t.get("system") == "email"), ""),
        birth_date=date.fromisoformat(birth) if birth else None,
        sex=data.get("gender", "") if data.get("gender") in ("male", "female") else "",
    )


def _range(values: list[str]) -> tuple[datetime | None, datetime | None]:
    begins = ends = None
    try:
        for value in values:
            if value.startswith("ge"):
                begins = datetime.fromisoformat(value[2:])
            elif value.startswith("lt"):
                ends = datetime.fromisoformat(value[2:])
    except ValueError as exc:
        raise FhirError(400, "invalid", f"not an instant: {exc}") from exc
    if (begins and begins.tzinfo is None) or (ends and ends.tzinfo is None):
        raise FhirError(400, "invalid", "instants need an offset")
    return begins, ends


# --- HTTP -----------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def date_time_string(self, timestamp: float | None = None) -> str:
        # The Date header shows the simulated server's (possibly skewed) clock.
        skew = self.server.service.knobs.clock_skew
        return email.utils.formatdate((timestamp or clock.time()) + skew, usegmt=True)

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        service = self.server.service
        if service.knobs.outage == "refused":
            self.close_connection = True
            return
        if service.knobs.outage == "503":
            self._send(503, b"<html><body>503 Service Unavailable</body></html>", "text/html")
            return
        split = urlsplit(self.path)
        if not split.path.startswith(BASE_PATH):
            self._send(404, b"not found", "text/plain")
            return
        if service.knobs.latency:
            clock.sleep(service.knobs.latency)
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, answer, extra = service.handle(
            method, split.path, parse_qs(split.query), headers, body
        )
        payload = json.dumps(answer, ensure_ascii=False).encode()
        self._send(status, payload, f"{FHIR_JSON}; charset=utf-8", extra)

    def do_GET(self) -> None:  # noqa: N802
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._serve("PUT")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], service: FhirService):
        self.service = service
        super().__init__(address, _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FhirSimulator(ThreadedSimulator):
    """A running FHIR server: `url` (the base), `knobs`, `mis`, `stop()`.

    `take_by_phone()` books time at the front desk, bypassing the API;
    `set_outage("refused")` closes the listening socket until `set_outage(None)`.
    """

    name = "fhir"

    service_class = FhirService
    base_path = BASE_PATH

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        store: Path | str | None = None,
        today: date | None = None,
        **knobs: object,
    ):
        if knobs.get("outage") == "":
            knobs["outage"] = None
        self.knobs = Knobs(**knobs)  # type: ignore[arg-type]
        if store is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="fhir-sim-")
            store = Path(self._tmp.name) / "fhir.sqlite3"
        self.service = self.service_class(knobs=self.knobs, store=store, today=today)
        self.host = host
        self._server: _Server | None = _Server((host, port), self.service)
        self.port = self._server.server_port
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}{self.base_path}"

    def _new_server(self):
        return _Server((self.host, self.port), self.service)
