"""The N3.Здоровье simulator: the SOAP booking hub over a DemoMis, and its FHIR
lab endpoint (DiagnosticReport + Observation, `Authorization: N3 <guid>`).

The hub's shape is described in hub.wsdl (public operation names, assumed
elements). It hands out ready-made tickets: one per booked visit ("busy"),
one per break ("break") and the free time of a shift cut into 15-minute
tickets from the shift's start ("free"). Errors are answers with
Success=false and an ErrorList (ERROR_* codes below), not SOAP faults.
Knobs (`Knobs`): latency, error_rate, outage ("503" | "refused"),
time_zone (the hub's wall clock), clock_skew, guid, seed, doctors.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import Message
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from lxml import etree

from integrations.mis.demo import DemoMis
from integrations.mis.demo_patients import PATIENTS
from integrations.mis.matching import matching
from integrations.ports import BookingRequest, Patient, SlotTaken
from integrations.protocols.fhir import FHIR_JSON
from integrations.simulators import register
from integrations.simulators._mis_http import MisHttpSimulator, MisKnobs, SkewedMis
from integrations.simulators._soap import append_elements
from integrations.simulators._threaded import Reply
from integrations.simulators.fhir import resources as fhir_resources
from integrations.simulators.fhir.server import FhirService
from integrations.simulators.fhir.server import Knobs as FhirKnobs

NS = "urn:n3health:hub:1"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
PATH = "/n3/HubService"
FHIR_PATH = "/n3/fhir"
WSDL_FILE = Path(__file__).with_name("hub.wsdl")
WSDL_ADDRESS = "http://localhost/n3/HubService"
DISTRICT = ("district-demo", "Демонстрационный район")
TICKET_STATUS = {"free": "free", "busy": "busy", "busy-unavailable": "break"}

# IdError codes of the ErrorList (assumed numbering).
ERROR_GUID = 1  # the integration guid is not valid
ERROR_REQUEST = 2  # a required element is missing or malformed
ERROR_PATIENT = 11  # no such patient
ERROR_TICKET_TAKEN = 20  # the ticket is not free (taken, a break, gone)
ERROR_INTERNAL = 99  # the hub failed; try again later


@dataclass
class Knobs(MisKnobs):
    """time_zone: the hub's wall clock; error_rate: answers with ERROR_INTERNAL."""

    guid: str = "4b6ae9d4-0000-4000-8000-000000000003"


class HubError(Exception):
    def __init__(self, code: int, description: str):
        super().__init__(description)
        self.code = code
        self.description = description


def ticket_id(doctor: str, branch: str, start: datetime, end: datetime, status: str) -> str:
    return "t-" + fhir_resources.slot_id(doctor, branch, start, end, status)


class HubService:
    """The hub's operations on parsed requests; each returns its payload elements."""

    OPERATIONS = (
        "GetDistrictList",
        "GetLPUList",
        "GetSpesialityList",
        "GetServiceList",
        "GetDoctorList",
        "GetAvaibleAppointments",
        "CheckPatient",
        "AddNewPatient",
        "SetAppointment",
        "CreateClaimForRefusal",
    )

    def __init__(self, *, knobs: Knobs, mis: DemoMis):
        self.knobs = knobs
        self.mis = mis
        self._patients: dict[str, Patient] = {}
        self._lock = threading.Lock()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.knobs.time_zone)

    def wall_clock(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).replace(tzinfo=None).isoformat(timespec="seconds")

    def instant(self, params: dict, name: str) -> datetime:
        try:
            value = datetime.fromisoformat(_required(params, name))
        except ValueError as exc:
            raise HubError(ERROR_REQUEST, f"{name} is not a date-time") from exc
        return value if value.tzinfo else value.replace(tzinfo=self.zone)

    # --- operations -----------------------------------------------------------

    def GetDistrictList(self, params: dict) -> list[tuple]:  # noqa: N802 - the hub's names
        return [("District", [("IdDistrict", DISTRICT[0]), ("DistrictName", DISTRICT[1])])]

    def GetLPUList(self, params: dict) -> list[tuple]:  # noqa: N802
        if params.get("IdDistrict") not in (None, "", DISTRICT[0]):
            return []
        return [
            (
                "LPU",
                [
                    ("IdLPU", b.external_id),
                    ("LPUFullName", b.name),
                    ("Address", b.address),
                    ("Phone", b.phone),
                    ("TimeZone", b.time_zone),
                ],
            )
            for b in self.mis.branches()
        ]

    def _doctors(self, lpu: str | None) -> list:
        return [d for d in self.mis.doctors() if not lpu or lpu in d.branch_ids]

    def GetSpesialityList(self, params: dict) -> list[tuple]:  # noqa: N802
        lpu = params.get("IdLpu")
        offered = {s for d in self._doctors(lpu) for s in d.specialty_ids}
        return [
            ("Spesiality", [("IdSpesiality", s.external_id), ("NameSpesiality", s.name)])
            for s in self.mis.specialties()
            if not lpu or s.external_id in offered
        ]

    def GetServiceList(self, params: dict) -> list[tuple]:  # noqa: N802
        lpu = params.get("IdLpu")
        offered = {s for d in self._doctors(lpu) for s in d.service_ids}
        return [
            (
                "Service",
                [
                    ("IdService", s.external_id),
                    ("Code", s.code),
                    ("Name", s.name),
                    *([("IdSpesiality", s.specialty_id)] if s.specialty_id else []),
                    ("Duration", s.duration_minutes),
                    ("Price", s.price),
                    ("Online", s.online),
                ],
            )
            for s in self.mis.services()
            if not lpu or s.external_id in offered
        ]

    def GetDoctorList(self, params: dict) -> list[tuple]:  # noqa: N802
        specialty = _required(params, "IdSpesiality")
        return [
            (
                "Doctor",
                [
                    ("IdDoc", d.external_id),
                    ("Surname", d.last_name),
                    ("Name", d.first_name),
                    ("SecondName", d.middle_name),
                    *([("CareerStart", d.career_start)] if d.career_start else []),
                    ("Category", d.category),
                    ("Degree", d.degree),
                    ("Spesialities", [("Id", i) for i in d.specialty_ids]),
                    ("LPUs", [("Id", i) for i in d.branch_ids]),
                    ("Services", [("Id", i) for i in d.service_ids]),
                ],
            )
            for d in self._doctors(params.get("IdLpu"))
            if specialty in d.specialty_ids
        ]

    def tickets(
        self, *, begins: datetime, ends: datetime, doctor: str = "", lpu: str = ""
    ) -> list[tuple[str, str, str, datetime, datetime, str]]:
        """(ticket id, doctor, LPU, start, end, status) of tickets starting in [begins, ends)."""
        return [
            (ticket_id(d, b, start, end, status), d, b, start, end, TICKET_STATUS[status])
            for d, b, start, end, status in fhir_resources.cut(
                self.mis, begins=begins, ends=ends, doctor_id=doctor
            )
            if not lpu or b == lpu
        ]

    def GetAvaibleAppointments(self, params: dict) -> list[tuple]:  # noqa: N802
        begins, ends = self.instant(params, "VisitStart"), self.instant(params, "VisitEnd")
        if ends <= begins or ends - begins > timedelta(days=62):
            raise HubError(ERROR_REQUEST, "VisitStart..VisitEnd must be 0..62 days")
        every = params.get("AllTickets") == "true"
        return [
            (
                "Appointment",
                [
                    ("IdAppointment", ticket),
                    ("IdDoc", doctor),
                    ("IdLpu", lpu),
                    ("VisitStart", self.wall_clock(start)),
                    ("VisitEnd", self.wall_clock(end)),
                    ("Status", status),
                ],
            )
            for ticket, doctor, lpu, start, end, status in self.tickets(
                begins=begins,
                ends=ends,
                doctor=params.get("IdDoc") or "",
                lpu=params.get("IdLpu") or "",
            )
            if every or status == "free"
        ]

    def _known(self) -> list[Patient]:
        with self._lock:
            return [*PATIENTS, *self._patients.values()]

    def CheckPatient(self, params: dict) -> list[tuple]:  # noqa: N802
        query = params.get("Pat") or {}
        birth = query.get("Birthday")
        found = matching(
            self._known(),
            phone=_required(query, "Phone"),
            birth_date=date.fromisoformat(birth) if birth else None,
            last_name=query.get("Surname") or "",
        )
        return [
            (
                "Patient",
                [
                    ("IdPat", p.external_id),
                    ("Surname", p.last_name),
                    ("Name", p.first_name),
                    *([("SecondName", p.middle_name)] if p.middle_name else []),
                    *([("Birthday", p.birth_date)] if p.birth_date else []),
                    *([("Sex", p.sex)] if p.sex else []),
                    ("Phone", p.phone),
                    *([("Email", p.email)] if p.email else []),
                ],
            )
            for p in found
        ]

    def AddNewPatient(self, params: dict) -> list[tuple]:  # noqa: N802
        query = params.get("Pat") or {}
        birth = query.get("Birthday")
        person = Patient(
            last_name=_required(query, "Surname"),
            first_name=_required(query, "Name"),
            middle_name=query.get("SecondName") or "",
            phone=_required(query, "Phone"),
            birth_date=date.fromisoformat(birth) if birth else None,
            email=query.get("Email") or "",
            sex=query.get("Sex") or "",
        )
        with self._lock:
            same = matching(
                [*PATIENTS, *self._patients.values()],
                phone=person.phone,
                birth_date=person.birth_date,
                last_name=person.last_name,
            )
            same = [p for p in same if p.first_name == person.first_name]
            if same:
                return [("IdPat", same[0].external_id)]
            patient_id = f"pt-n3-{len(self._patients) + 1:05d}"
            self._patients[patient_id] = Patient(**{**vars(person), "external_id": patient_id})
        return [("IdPat", patient_id)]

    def _appointment(self, found) -> list[tuple]:
        return [
            (
                "Appointment",
                [
                    ("IdAppointment", found.external_id),
                    ("IdDoc", found.doctor_id),
                    ("VisitStart", self.wall_clock(found.start)),
                    ("VisitEnd", self.wall_clock(found.end)),
                    ("Status", "cancelled" if found.status == "cancelled" else "booked"),
                ],
            )
        ]

    def SetAppointment(self, params: dict) -> list[tuple]:  # noqa: N802
        key = params.get("IdExternal") or ""
        if key:
            existing = self.mis.appointment(idempotency_key=key)
            if existing is not None:
                return self._appointment(existing)
        ticket = _required(params, "IdAppointment")
        patient_id = _required(params, "IdPat")
        person = next((p for p in self._known() if p.external_id == patient_id), None)
        if person is None:
            raise HubError(ERROR_PATIENT, f"patient {patient_id} is not known")
        try:
            doctor, lpu, stamp, minutes, _ = ticket.removeprefix("t-").split(".")
            start = datetime.strptime(stamp, "%Y%m%d%H%M").replace(tzinfo=ZoneInfo("UTC"))
            first_end = start + timedelta(minutes=int(minutes))
        except ValueError as exc:
            raise HubError(ERROR_TICKET_TAKEN, f"no ticket {ticket}") from exc
        end = self.instant(params, "VisitEnd") if params.get("VisitEnd") else first_end
        if end <= start:
            raise HubError(ERROR_REQUEST, "VisitEnd must follow the ticket's start")
        # The ticket and the ones after it up to VisitEnd must all be free, back to back.
        own = {t[0]: t for t in self.tickets(begins=start, ends=end, doctor=doctor) if t[2] == lpu}
        if ticket not in own or own[ticket][5] != "free":
            raise HubError(ERROR_TICKET_TAKEN, f"ticket {ticket} is not free")
        cursor = start
        for _, _, _, t_start, t_end, status in sorted(own.values(), key=lambda t: t[3]):
            if t_start != cursor or status != "free":
                break
            cursor = t_end
            if cursor >= end:
                break
        if cursor < end:
            raise HubError(ERROR_TICKET_TAKEN, "the tickets up to VisitEnd are not all free")
        request = BookingRequest(
            idempotency_key=key or ticket,
            doctor_id=doctor,
            branch_id=_required(params, "IdLpu"),
            service_id=params.get("IdService") or "",
            start=start,
            end=end,
            patient=person,
        )
        try:
            booked = self.mis.book(request)
        except SlotTaken as exc:
            raise HubError(ERROR_TICKET_TAKEN, str(exc)) from exc
        return self._appointment(booked)

    def CreateClaimForRefusal(self, params: dict) -> list[tuple]:  # noqa: N802
        appointment_id = _required(params, "IdAppointment")
        if self.mis.appointment(appointment_id=appointment_id) is None:
            raise HubError(ERROR_REQUEST, f"no appointment {appointment_id}")
        self.mis.cancel(appointment_id=appointment_id, idempotency_key=appointment_id)
        return []

    # --- SOAP ------------------------------------------------------------------

    def handle(self, body: bytes) -> tuple[int, bytes]:
        try:
            envelope = etree.fromstring(body, parser=_PARSER)
        except etree.XMLSyntaxError:
            return 400, b"not XML"
        request = envelope.find(f"{{{SOAP_ENV}}}Body/*")
        if envelope.tag != f"{{{SOAP_ENV}}}Envelope" or request is None:
            return 400, b"not a SOAP 1.1 request"
        name = etree.QName(request)
        if name.namespace != NS or name.localname not in self.OPERATIONS:
            return 400, f"unknown operation {name.localname}".encode()
        params = _params(request)
        response = etree.Element(f"{{{NS}}}{name.localname}Response", nsmap={"h": NS})
        try:
            if params.get("guid") != self.knobs.guid:
                raise HubError(ERROR_GUID, "the integration guid is not valid")
            if self.knobs.error_rate and self.knobs.error_rng.random() < self.knobs.error_rate:
                raise HubError(ERROR_INTERNAL, "simulated internal error")
            content = getattr(self, name.localname)(params)
        except HubError as error:
            _append(
                response,
                [
                    ("Success", False),
                    (
                        "ErrorList",
                        [
                            (
                                "Error",
                                [("IdError", error.code), ("ErrorDescription", error.description)],
                            )
                        ],
                    ),
                ],
            )
        else:
            _append(response, [("Success", True), *content])
        envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV})
        etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body").append(response)
        return 200, etree.tostring(envelope, encoding="utf-8", xml_declaration=True)


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _params(node: etree._Element) -> dict:
    """Child elements by local name: text, or a dict for a nested element."""
    params: dict = {}
    for child in node:
        name = etree.QName(child).localname
        params[name] = _params(child) if len(child) else (child.text or "").strip()
    return params


def _required(params: dict, name: str) -> str:
    value = params.get(name)
    if not value or not isinstance(value, str):
        raise HubError(ERROR_REQUEST, f"{name} is required")
    return value


def _append(parent: etree._Element, content: list[tuple]) -> None:
    append_elements(parent, content, NS)


# --- HTTP -----------------------------------------------------------------------


@register("n3")
class N3Simulator(MisHttpSimulator):
    """A running hub: `url` (SOAP endpoint, WSDL at `?wsdl`), `fhir_url` (labs),
    `knobs`, `mis`, `take_by_phone()`, `set_outage()`, `reset()`, `stop()`."""

    knobs_class = Knobs
    path = PATH
    methods = ("GET", "POST")
    error_reply = None  # Success=false with ERROR_INTERNAL, answered by the hub

    def _build(self) -> None:
        super()._build()
        self.service = HubService(knobs=self.knobs, mis=self.mis)
        # The lab endpoint: the FHIR simulator's DiagnosticReport search, behind
        # the hub's own scheme ("N3 <guid>").
        lab_knobs = FhirKnobs(
            token=self.knobs.guid,
            auth_scheme="N3",
            seed=self.knobs.seed,
            time_zone=self.knobs.time_zone,
        )
        lab_mis = SkewedMis(
            knobs=lab_knobs, seed=lab_knobs.seed, store=self.store, today=self._today
        )
        self.labs = FhirService(knobs=lab_knobs, mis=lab_mis)

    @property
    def fhir_url(self) -> str:
        return f"http://{self.host}:{self.port}{FHIR_PATH}"

    def banner_notes(self) -> str:
        return f"WSDL: {self.url}?wsdl, labs: {self.fhir_url}, guid: {self.knobs.guid}"

    def answer(self, method: str, path: str, headers: Message, body: bytes) -> Reply:
        split = urlsplit(path)
        if method == "GET" and split.path == PATH and split.query == "wsdl":
            host = headers.get("Host") or f"127.0.0.1:{self.port}"
            wsdl = WSDL_FILE.read_bytes().replace(
                WSDL_ADDRESS.encode(), f"http://{host}{PATH}".encode()
            )
            return Reply(200, wsdl, "text/xml; charset=utf-8")
        if method == "GET" and split.path == f"{FHIR_PATH}/DiagnosticReport":
            status, answer, _ = self.labs.handle(
                "GET",
                "/fhir/DiagnosticReport",
                parse_qs(split.query),
                {k.lower(): v for k, v in headers.items()},
                b"",
            )
            return Reply.json(answer, status, FHIR_JSON)
        if method == "POST" and split.path == PATH:
            status, answer = self.service.handle(body)
            return Reply(status, answer, "text/xml; charset=utf-8")
        return Reply(404, b"not found")
