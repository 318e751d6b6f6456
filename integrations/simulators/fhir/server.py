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
token, seed, doctors (size of the clinic). The variety of real servers (each
from R4, https://hl7.org/fhir/R4/): `minimal` (writes answer 201/200 with a
Location and no body unless the client sends `Prefer:
return=representation`), `ignore_prefer` (always minimal), `chained_search`
(off: `schedule.actor=` is a 400), `etags` (W/"n" versions, If-Match checked,
412 when stale), `tentative_every` (every n-th free Slot is busy-tentative,
with an entered-in-error copy), `duplicated_keys` (booking identifiers held
by several Appointments: a conditional create on one is a 412), `strict`
(refuses what R4 does not define: a participant without status, an unknown
Appointment status or Prefer value).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import Message
from urllib.parse import parse_qs, urlencode, urlsplit
from zoneinfo import ZoneInfo

from integrations.mis.demo import DemoMis
from integrations.mis.demo_patients import PATIENTS
from integrations.mis.matching import matching
from integrations.ports import BookingRequest, Patient, SlotTaken
from integrations.protocols.fhir import BOOKING_SYSTEM, FHIR_JSON
from integrations.simulators import register
from integrations.simulators._mis_http import MisHttpSimulator, MisKnobs
from integrations.simulators._threaded import Reply
from integrations.simulators.fhir import resources as fhir
from integrations.simulators.fhir.labs import lab_resources, visit_resources

BASE_PATH = "/fhir"
# R4 valuesets: AppointmentStatus, ParticipationStatus; http.html, the Prefer header.
APPOINTMENT_STATUSES = frozenset(
    (
        "proposed",
        "pending",
        "booked",
        "arrived",
        "fulfilled",
        "cancelled",
        "noshow",
        "entered-in-error",
        "checked-in",
        "waitlist",
    )
)
PARTICIPATION = frozenset(("accepted", "declined", "tentative", "needs-action"))
PREFER_VALUES = frozenset(("minimal", "representation", "OperationOutcome"))
SOFTWARE = ("Clinic FHIR simulator", "1.0")
MAX_COUNT = 10000


@dataclass
class Knobs(MisKnobs):
    """time_zone: the offset the server writes instants with; error_rate: 500s."""

    token: str = "fhir-demo-token"  # noqa: S105 - the simulator's own demo token
    auth_scheme: str = "Bearer"
    minimal: bool = False  # writes answer no body unless Prefer: return=representation
    ignore_prefer: bool = False  # with minimal: the body is never returned
    chained_search: bool = True  # off: Slot?schedule.actor= is refused (400)
    etags: bool = False  # ETag W/"n" on reads and writes; If-Match checked (412)
    tentative_every: int = 0  # every n-th free Slot busy-tentative, plus an entered-in-error copy
    duplicated_keys: tuple[str, ...] = ()  # identifiers several Appointments carry
    strict: bool = True  # refuse what R4 does not define


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


class FhirService:
    """The REST interactions on parsed requests: (status, JSON body, headers)."""

    def __init__(self, *, knobs: Knobs, mis: DemoMis):
        self.knobs = knobs
        self.mis = mis
        self._patients: dict[str, Patient] = {}
        self._versions: dict[str, int] = {}  # Appointment id -> its version (etags)
        self._lock = threading.Lock()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.knobs.time_zone)

    def now(self) -> datetime:
        return datetime.now(self.zone) + timedelta(seconds=self.knobs.clock_skew)

    # --- dispatch -----------------------------------------------------------

    def handle(
        self, method: str, path: str, query: dict[str, list[str]], headers: dict, body: bytes
    ) -> tuple[int, dict | None, dict[str, str]]:
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
                return 200, self.read_appointment(parts[1]), self._version_headers(parts[1])
            if method == "GET" and parts[:1] == ["Patient"] and len(parts) == 2:
                return 200, self.read_patient(parts[1]), {}
            data = self._json(body) if method in ("POST", "PUT") else {}
            prefer = self._prefer(headers.get("prefer", ""))
            if method == "POST" and parts == ["Appointment"]:
                answer = self.create_appointment(data, headers.get("if-none-exist", ""))
                return self._written(*answer, prefer)
            if method == "PUT" and parts[:1] == ["Appointment"] and len(parts) == 2:
                answer = self.update_appointment(parts[1], data, headers.get("if-match", ""))
                return self._written(200, answer, self._version_headers(parts[1]), prefer)
            if method == "POST" and parts == ["Patient"]:
                return self._written(
                    *self.create_patient(data, headers.get("if-none-exist", "")), prefer
                )
            raise FhirError(404, "not-supported", f"{method} {path} is not supported")
        except FhirError as error:
            return error.status, outcome(error.code, error.diagnostics), {}

    def _prefer(self, header: str) -> str:
        """R4 http.html, "create" / "update": Prefer return=minimal | representation |
        OperationOutcome; without it the server chooses (here: `minimal`)."""
        value = header.partition("return=")[2].split(";")[0].strip()
        if header and self.knobs.strict and value not in PREFER_VALUES:
            raise FhirError(400, "invalid", f"Prefer: {header} is not defined by R4")
        if not self.knobs.minimal:
            return "representation"
        return "minimal" if self.knobs.ignore_prefer or not value else value

    def _written(self, status: int, answer: dict, headers: dict, prefer: str) -> tuple:
        """R4 http.html, "create": 201 with `Location: [base]/<type>/<id>/_history/<vid>`;
        a minimal answer has no body (OperationOutcome: an informational one)."""
        location = f"{BASE_PATH}/{answer['resourceType']}/{answer['id']}"
        version = (
            self._versions.get(answer["id"]) if answer["resourceType"] == "Appointment" else None
        )
        headers = {"Location": location + (f"/_history/{version}" if version else ""), **headers}
        if prefer == "representation":
            return status, answer, headers
        if prefer == "OperationOutcome":
            return status, outcome("informational", "done", "information"), headers
        return status, None, headers

    def _version_headers(self, appointment_id: str) -> dict[str, str]:
        """R4 http.html, "read" / "Managing Resource Contention": ETag W/"<versionId>"."""
        version = self._versions.get(appointment_id)
        return {"ETag": f'W/"{version}"'} if self.knobs.etags and version else {}

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
        """R4 slot.html search parameters; the chained `schedule.actor` (search.html,
        "Chained parameters") is optional for servers: `chained_search` off refuses it."""
        begins, ends = _range(query.get("start", []))
        if begins is None or ends is None or ends <= begins or ends - begins > timedelta(days=62):
            raise FhirError(400, "invalid", "start=ge..&start=lt.. (at most 62 days) is required")
        actor = (query.get("schedule.actor") or [""])[0]
        if actor and not self.knobs.chained_search:
            raise FhirError(400, "not-supported", "chained search not supported")
        doctor = actor.removeprefix("Practitioner/") if actor else ""
        found = self._published(begins, ends, doctor)
        if query.get("schedule"):
            wanted = {f"Schedule/{s.split('/')[-1]}" for s in query["schedule"][0].split(",")}
            found = [s for s in found if s["schedule"]["reference"] in wanted]
        if query.get("status"):
            found = [s for s in found if s["status"] == query["status"][0]]
        return found

    def _published(self, begins: datetime, ends: datetime, doctor: str) -> list[dict]:
        """The Slots as this server publishes them. R4 slot.html, SlotStatus: with
        `tentative_every`, every n-th free Slot is busy-tentative (held, not bookable)
        and an entered-in-error copy of it stands beside it."""
        found = fhir.slots(self.mis, begins=begins, ends=ends, zone=self.zone, doctor_id=doctor)
        every = self.knobs.tentative_every
        if not every:
            return found
        published = []
        for number, slot in enumerate(found):
            published.append(slot)
            if slot["status"] == "free" and number % every == every - 1:
                slot["status"] = "busy-tentative"
                published.append({**slot, "id": f"{slot['id']}.x", "status": "entered-in-error"})
        return published

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

    def read_patient(self, patient_id: str) -> dict:
        """R4 http.html, "read": GET [base]/Patient/<id>."""
        found = next((p for p in self._known_patients() if p.external_id == patient_id), None)
        if found is None:
            raise FhirError(404, "not-found", f"Patient/{patient_id} is not known")
        return fhir.patient(found)

    def update_appointment(self, appointment_id: str, data: dict, if_match: str = "") -> dict:
        """R4 http.html, "update" and "Managing Resource Contention": with `etags`, an
        If-Match naming another version than the current one is a 412."""
        if data.get("resourceType") != "Appointment" or data.get("id") != appointment_id:
            raise FhirError(400, "invalid", "the body must be this Appointment")
        self._check_appointment(data)
        current = self.mis.appointment(appointment_id=appointment_id)
        if current is None:
            raise FhirError(404, "not-found", f"Appointment/{appointment_id} is not known")
        version = self._versions.get(appointment_id, 1)
        if self.knobs.etags and if_match and if_match != f'W/"{version}"':
            raise FhirError(412, "conflict", f'version {if_match} is not the current W/"{version}"')
        with self._lock:
            self._versions[appointment_id] = version + 1
        if data.get("status") == "cancelled":
            self.mis.cancel(appointment_id=appointment_id, idempotency_key=appointment_id)
        elif data.get("status") != current.status:
            raise FhirError(422, "business-rule", "only a cancellation can be written")
        return self.read_appointment(appointment_id)

    def _check_appointment(self, data: dict) -> None:
        """Strict: R4 appointment.html, `status` from AppointmentStatus and every
        participant's `status` (1..1, ParticipationStatus)."""
        if not self.knobs.strict:
            return
        if data.get("status") not in APPOINTMENT_STATUSES:
            raise FhirError(400, "code-invalid", f"Appointment.status {data.get('status')!r}")
        if any(p.get("status") not in PARTICIPATION for p in data.get("participant") or [{}]):
            raise FhirError(400, "required", "Appointment.participant.status is required")

    def create_appointment(self, data: dict, condition: str) -> tuple[int, dict, dict]:
        """R4 http.html, "Conditional create": no match creates (201), one match
        answers it (200), several are a 412 (`duplicated_keys`)."""
        if data.get("resourceType") != "Appointment" or data.get("status") != "booked":
            raise FhirError(400, "invalid", "a booked Appointment is expected")
        key = _identifier(data, condition)
        if key and key in self.knobs.duplicated_keys:
            raise FhirError(412, "multiple-matches", f"several Appointments match {condition}")
        existing = self.mis.appointment(idempotency_key=key) if key else None
        if existing is not None:
            return 200, fhir.appointment(existing, key=key, zone=self.zone), {}
        self._check_appointment(data)
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
        with self._lock:
            self._versions[booked.external_id] = 1
        return 201, answer, self._version_headers(booked.external_id)

    def _check_slots(self, data: dict, doctor: str, start: datetime, end: datetime) -> None:
        """Every referenced Slot must be free, and together they must cover [start, end)."""
        wanted = {s.get("reference", "").split("/")[-1] for s in data.get("slot", [])}
        if not wanted:
            raise FhirError(400, "required", "an Appointment books Slots: slot is required")
        # Only a free Slot is booked: a busy-tentative one is held (tentative_every).
        current = {s["id"]: s for s in self._published(start - timedelta(days=1), end, doctor)}
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


@register("fhir")
class FhirSimulator(MisHttpSimulator):
    """A running FHIR server: `url` (the base), `knobs`, `mis`, `take_by_phone()`,
    `set_outage()`, `reset()`, `stop()`."""

    knobs_class = Knobs
    path = BASE_PATH
    methods = ("GET", "POST", "PUT")
    error_reply = None  # an OperationOutcome, answered by the service

    def _build(self) -> None:
        super()._build()
        self.service = FhirService(knobs=self.knobs, mis=self.mis)

    def banner_notes(self) -> str:
        return f"token: {self.knobs.token}"

    def clock_offset(self) -> float:
        return self.knobs.clock_skew

    def answer(self, method: str, path: str, headers: Message, body: bytes) -> Reply:
        split = urlsplit(path)
        if not split.path.startswith(BASE_PATH):
            return Reply(404, b"not found")
        lowered = {k.lower(): v for k, v in headers.items()}
        status, answer, extra = self.service.handle(
            method, split.path, parse_qs(split.query), lowered, body
        )
        if answer is None:  # a minimal answer: headers only
            reply = Reply(status, b"")
        else:
            reply = Reply.json(answer, status, f"{FHIR_JSON}; charset=utf-8")
        reply.headers.update(extra)
        return reply
