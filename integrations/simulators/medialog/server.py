"""The МЕДИАЛОГ simulator: a SOAP 1.1 facade over a DemoMis, served over HTTP.

The protocol shape is assumed (see planning.wsdl and ../shared/INTEGRATIONS.md);
the data is the demo MIS's, so every adapter sees the same clinic. Knobs
(`Knobs`) change at runtime: latency, a share of failing calls, an outage
(HTTP 503 or a refused connection), the MIS's own time zone, a skewed clock
and the cp1251 encoding many MEDIALOG installations answer in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from email.message import Message
from pathlib import Path
from zoneinfo import ZoneInfo

from lxml import etree

from integrations.mis.demo import DemoMis
from integrations.mis.demo_patients import PATIENTS
from integrations.mis.matching import matching
from integrations.ports import BookingRequest, MisError, Patient, SlotTaken
from integrations.simulators import register
from integrations.simulators._mis_http import MisHttpSimulator, MisKnobs
from integrations.simulators._soap import append_elements
from integrations.simulators._threaded import Reply

NS = "urn:medialog:planning:1"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
PATH = "/medialog/PlanningService"
VERSION = "simulator 1.0 (planning API 1)"
GRID_MINUTES = 15  # the step of every day template in the simulated MIS
WSDL_FILE = Path(__file__).with_name("planning.wsdl")
# The address the WSDL file carries; replaced by the URL it is fetched from.
WSDL_ADDRESS = "http://localhost/medialog/PlanningService"


@dataclass
class Knobs(MisKnobs):
    """What the simulator does besides answering correctly; change at runtime.

    error_rate: the share of SOAP calls answered with an INTERNAL fault."""

    encoding: str = "utf-8"  # "windows-1251" like many MEDIALOG installations
    user: str = "medialog"
    password: str = "medialog"  # noqa: S105 - the simulator's own demo login


class SoapFault(Exception):
    """Answered as a SOAP 1.1 fault with a MedialogError detail."""

    def __init__(self, code: str, message: str, *, client: bool = True):
        super().__init__(message)
        self.code = code
        self.message = message
        self.client = client


def _hhmm(moment: datetime) -> int:
    return moment.hour * 100 + moment.minute


def _minutes(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds() // 60)


class MedialogService:
    """The operations of the planning service, on parsed requests."""

    def __init__(self, *, knobs: Knobs, mis: DemoMis):
        self.knobs = knobs
        self.mis = mis
        self._patients: dict[str, Patient] = {}
        self._lock = threading.Lock()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.knobs.time_zone)

    def local(self, moment: datetime) -> datetime:
        """An instant as the MIS's wall clock shows it."""
        return moment.astimezone(self.zone)

    # --- authentication ---------------------------------------------------

    def authenticate(self, header: etree._Element | None) -> None:
        token = (
            None if header is None else header.find(f"{{{WSSE}}}Security/{{{WSSE}}}UsernameToken")
        )
        if token is None:
            raise SoapFault("AUTH", "WS-Security UsernameToken required")
        user = token.findtext(f"{{{WSSE}}}Username") or ""
        password = token.find(f"{{{WSSE}}}Password")
        given = "" if password is None else (password.text or "")
        expected = self.knobs.password
        if password is not None and password.get("Type", "").endswith("#PasswordDigest"):
            nonce = base64.b64decode(token.findtext(f"{{{WSSE}}}Nonce") or "")
            created = token.findtext(f"{{{WSU}}}Created") or ""
            digest = hashlib.sha1(nonce + created.encode() + expected.encode()).digest()  # noqa: S324 - WSS UsernameToken profile
            expected = base64.b64encode(digest).decode()
        if not (
            hmac.compare_digest(user, self.knobs.user) and hmac.compare_digest(given, expected)
        ):
            raise SoapFault("AUTH", "authentication failed")

    # --- operations -----------------------------------------------------------

    def GetVersion(self, params: dict) -> list[tuple]:  # noqa: N802 - SOAP operation names
        now = self.local(datetime.now().astimezone()) + timedelta(seconds=self.knobs.clock_skew)
        return [
            ("version", VERSION),
            ("serverTime", now.replace(tzinfo=None, microsecond=0).isoformat()),
            ("timeZone", self.knobs.time_zone),
        ]

    def GetDepartments(self, params: dict) -> list[tuple]:  # noqa: N802
        return [
            (
                "department",
                [
                    ("id", b.external_id),
                    ("name", b.name),
                    ("address", b.address),
                    ("phone", b.phone),
                    ("timeZone", b.time_zone),
                ],
            )
            for b in self.mis.branches()
        ]

    def GetSpecialities(self, params: dict) -> list[tuple]:  # noqa: N802
        return [
            ("speciality", [("id", s.external_id), ("name", s.name)])
            for s in self.mis.specialties()
        ]

    def GetExams(self, params: dict) -> list[tuple]:  # noqa: N802
        return [
            (
                "exam",
                [
                    ("id", s.external_id),
                    ("code", s.code),
                    ("name", s.name),
                    *([("specialityId", s.specialty_id)] if s.specialty_id else []),
                    ("duration", s.duration_minutes),
                    ("price", s.price),
                    ("online", s.online),
                ],
            )
            for s in self.mis.services()
        ]

    def GetResources(self, params: dict) -> list[tuple]:  # noqa: N802
        return [
            (
                "resource",
                [
                    ("id", d.external_id),
                    ("lastName", d.last_name),
                    ("firstName", d.first_name),
                    ("middleName", d.middle_name),
                    *([("careerStart", d.career_start)] if d.career_start else []),
                    ("category", d.category),
                    ("degree", d.degree),
                    ("specialities", [("id", i) for i in d.specialty_ids]),
                    ("departments", [("id", i) for i in d.branch_ids]),
                    ("exams", [("id", i) for i in d.service_ids]),
                ],
            )
            for d in self.mis.doctors()
        ]

    def GetSchedule(self, params: dict) -> list[tuple]:  # noqa: N802
        first = _date(params, "dateFrom")
        last = _date(params, "dateTo")
        if last < first or (last - first).days > 62:
            raise SoapFault("BAD_REQUEST", "dateFrom..dateTo must be 0..62 days")
        resource = params.get("resourceId")
        # The demo MIS counts days on Moscow time; ask one day more on each side
        # and keep what starts on the asked dates of this MIS's own clock.
        schedule = self.mis.schedule(start=first - timedelta(days=1), end=last + timedelta(days=1))
        rows = [("WORK", w, w.branch_id) for w in schedule.work]
        rows += [("BUSY", b, None) for b in schedule.busy]
        rows += [("BREAK", b, None) for b in schedule.breaks]
        answer = []
        for kind, interval, department in rows:
            if resource and interval.doctor_id != resource:
                continue
            start = self.local(interval.start)
            if not first <= start.date() <= last:
                continue
            answer.append(
                (
                    "interval",
                    [
                        ("resourceId", interval.doctor_id),
                        *([("departmentId", department)] if department else []),
                        ("kind", kind),
                        ("date", start.date()),
                        ("startHHMM", _hhmm(start)),
                        ("duration", _minutes(interval.start, interval.end)),
                    ],
                )
            )
        return answer

    def GetFreeSlots(self, params: dict) -> list[tuple]:  # noqa: N802
        resource = _required(params, "resourceId")
        exam_id = _required(params, "examId")
        first, last = _date(params, "dateFrom"), _date(params, "dateTo")
        if last < first or (last - first).days > 62:
            raise SoapFault("BAD_REQUEST", "dateFrom..dateTo must be 0..62 days")
        exam = next((s for s in self.mis.services() if s.external_id == exam_id), None)
        if exam is None:
            raise SoapFault("BAD_REQUEST", f"unknown exam {exam_id}")
        length = timedelta(minutes=exam.duration_minutes)
        schedule = self.mis.schedule(start=first - timedelta(days=1), end=last + timedelta(days=1))
        # MEDIALOG's notion, written out on its own: grid points of the day
        # template from the start of work; a visit may touch another, and
        # lunch is closed.
        closed = [i for i in (*schedule.busy, *schedule.breaks) if i.doctor_id == resource]
        answer = []
        for work in sorted(
            (w for w in schedule.work if w.doctor_id == resource), key=lambda w: w.start
        ):
            start = work.start
            while start + length <= work.end:
                local = self.local(start)
                if first <= local.date() <= last and not any(
                    i.start < start + length and start < i.end for i in closed
                ):
                    answer.append(
                        (
                            "slot",
                            [
                                ("resourceId", resource),
                                ("departmentId", work.branch_id),
                                ("date", local.date()),
                                ("startHHMM", _hhmm(local)),
                                ("duration", exam.duration_minutes),
                            ],
                        )
                    )
                start += timedelta(minutes=GRID_MINUTES)
        return answer

    def FindPatients(self, params: dict) -> list[tuple]:  # noqa: N802
        birth = params.get("birthDate")
        with self._lock:
            known = [*PATIENTS, *self._patients.values()]
        found = matching(
            known,
            phone=_required(params, "phone"),
            birth_date=date.fromisoformat(birth) if birth else None,
            last_name=params.get("lastName") or "",
        )
        return [
            (
                "patient",
                [
                    ("patientId", p.external_id),
                    ("lastName", p.last_name),
                    ("firstName", p.first_name),
                    *([("middleName", p.middle_name)] if p.middle_name else []),
                    *([("birthDate", p.birth_date)] if p.birth_date else []),
                    *([("sex", p.sex)] if p.sex else []),
                    ("phone", p.phone),
                    *([("email", p.email)] if p.email else []),
                ],
            )
            for p in found
        ]

    def FindOrCreatePatient(self, params: dict) -> list[tuple]:  # noqa: N802
        last_name, first_name, phone = (
            _required(params, "lastName"),
            _required(params, "firstName"),
            _required(params, "phone"),
        )
        key = f"{last_name.casefold()}|{first_name.casefold()}|{phone}"
        patient_id = "pt-" + hashlib.sha256(key.encode()).hexdigest()[:12]
        birth = params.get("birthDate")
        with self._lock:
            self._patients.setdefault(
                patient_id,
                Patient(
                    last_name=last_name,
                    first_name=first_name,
                    phone=phone,
                    middle_name=params.get("middleName") or "",
                    birth_date=date.fromisoformat(birth) if birth else None,
                    email=params.get("email") or "",
                    external_id=patient_id,
                ),
            )
        return [("patientId", patient_id)]

    def BookSlot(self, params: dict) -> list[tuple]:  # noqa: N802
        start = self._wall_clock(_date(params, "date"), _int(params, "startHHMM"))
        duration = _int(params, "duration")
        if duration <= 0:
            raise SoapFault("BAD_REQUEST", "duration must be positive")
        with self._lock:
            patient = self._patients.get(_required(params, "patientId"))
        if patient is None:
            raise SoapFault("PATIENT_NOT_FOUND", f"no patient {params['patientId']}")
        request = BookingRequest(
            idempotency_key=_required(params, "externalId"),
            doctor_id=_required(params, "resourceId"),
            branch_id=params.get("departmentId") or "",
            service_id=params.get("examId") or "",
            start=start,
            end=start + timedelta(minutes=duration),
            patient=patient,
        )
        try:
            appointment = self.mis.book(request)
        except SlotTaken as exc:
            raise SoapFault("SLOT_TAKEN", str(exc)) from exc
        except MisError as exc:
            raise SoapFault("BAD_REQUEST", str(exc)) from exc
        local = self.local(appointment.start)
        return [
            (
                "planning",
                [
                    ("planningId", appointment.external_id),
                    ("resourceId", appointment.doctor_id),
                    ("date", local.date()),
                    ("startHHMM", _hhmm(local)),
                    ("duration", _minutes(appointment.start, appointment.end)),
                    ("status", appointment.status.upper()),
                ],
            )
        ]

    def CancelBooking(self, params: dict) -> list[tuple]:  # noqa: N802
        planning_id = _required(params, "planningId")
        self.mis.cancel(appointment_id=planning_id, idempotency_key=planning_id)
        return [("planningId", planning_id), ("status", "CANCELLED")]

    OPERATIONS = (
        "GetVersion",
        "GetDepartments",
        "GetSpecialities",
        "GetExams",
        "GetResources",
        "GetSchedule",
        "GetFreeSlots",
        "FindPatients",
        "FindOrCreatePatient",
        "BookSlot",
        "CancelBooking",
    )

    def _wall_clock(self, day: date, hhmm: int) -> datetime:
        hours, minutes = divmod(hhmm, 100)
        if not (0 <= hours < 24 and 0 <= minutes < 60):
            raise SoapFault("BAD_REQUEST", f"startHHMM {hhmm} is not a time")
        return datetime.combine(day, time(hours, minutes), tzinfo=self.zone)

    # --- SOAP ------------------------------------------------------------------

    def handle(self, body: bytes) -> tuple[int, bytes]:
        """One SOAP request: (HTTP status, response envelope)."""
        try:
            envelope = etree.fromstring(body, parser=_PARSER)
        except etree.XMLSyntaxError:
            return self._fault(SoapFault("BAD_REQUEST", "the request is not XML"))
        if envelope.tag != f"{{{SOAP_ENV}}}Envelope":
            return self._fault(SoapFault("BAD_REQUEST", "not a SOAP 1.1 envelope"))
        request = envelope.find(f"{{{SOAP_ENV}}}Body/*")
        try:
            self.authenticate(envelope.find(f"{{{SOAP_ENV}}}Header"))
            if self.knobs.error_rate and self.knobs.error_rng.random() < self.knobs.error_rate:
                raise SoapFault("INTERNAL", "simulated internal error", client=False)
            if request is None:
                raise SoapFault("BAD_REQUEST", "empty SOAP body")
            name = etree.QName(request)
            if name.namespace != NS or name.localname not in self.OPERATIONS:
                raise SoapFault("BAD_REQUEST", f"unknown operation {name.localname}")
            content = getattr(self, name.localname)(_params(request))
        except SoapFault as fault:
            return self._fault(fault)
        response = etree.Element(f"{{{NS}}}{name.localname}Response", nsmap={"m": NS})
        _append(response, content)
        return 200, self._envelope(response)

    def _fault(self, fault: SoapFault) -> tuple[int, bytes]:
        node = etree.Element(f"{{{SOAP_ENV}}}Fault")
        code = etree.SubElement(node, "faultcode")
        if fault.code == "AUTH":
            code.text = "wsse:FailedAuthentication"  # the WS-Security fault code
        else:
            code.text = "soap:Client" if fault.client else "soap:Server"
        etree.SubElement(node, "faultstring").text = f"{fault.code}: {fault.message}"
        detail = etree.SubElement(node, "detail")
        error = etree.SubElement(detail, f"{{{NS}}}MedialogError", nsmap={"m": NS})
        _append(error, [("code", fault.code), ("message", fault.message)])
        return 500, self._envelope(node)

    def _envelope(self, content: etree._Element) -> bytes:
        envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV, "wsse": WSSE})
        etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body").append(content)
        return etree.tostring(envelope, encoding=self.knobs.encoding, xml_declaration=True)


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _params(request: etree._Element) -> dict[str, str]:
    return {etree.QName(child).localname: (child.text or "").strip() for child in request}


def _required(params: dict, name: str) -> str:
    value = params.get(name)
    if not value:
        raise SoapFault("BAD_REQUEST", f"{name} is required")
    return value


def _date(params: dict, name: str) -> date:
    try:
        return date.fromisoformat(_required(params, name))
    except ValueError as exc:
        raise SoapFault("BAD_REQUEST", f"{name} is not a date") from exc


def _int(params: dict, name: str) -> int:
    try:
        return int(_required(params, name))
    except ValueError as exc:
        raise SoapFault("BAD_REQUEST", f"{name} is not an integer") from exc


def _append(parent: etree._Element, content: list[tuple]) -> None:
    append_elements(parent, content, NS)


# --- HTTP -----------------------------------------------------------------------


@register("medialog")
class MedialogSimulator(MisHttpSimulator):
    """A running simulator: `url` (the SOAP endpoint, its WSDL at `url + "?wsdl"`),
    `knobs`, `mis` (the DemoMis behind it), `take_by_phone()`, `set_outage()`,
    `reset()`, `stop()`."""

    knobs_class = Knobs
    path = PATH
    methods = ("GET", "POST")
    error_reply = None  # an INTERNAL SOAP fault, answered by the service

    def _build(self) -> None:
        super()._build()
        self.service = MedialogService(knobs=self.knobs, mis=self.mis)

    def banner_notes(self) -> str:
        return f"WSDL: {self.url}?wsdl, login {self.knobs.user} / {self.knobs.password}"

    def answer(self, method: str, path: str, headers: Message, body: bytes) -> Reply:
        if method == "GET":
            if not (path.startswith(PATH) and path.endswith("?wsdl")):
                return Reply(404, b"not found")
            host = headers.get("Host") or f"127.0.0.1:{self.port}"
            wsdl = WSDL_FILE.read_bytes().replace(
                WSDL_ADDRESS.encode(), f"http://{host}{PATH}".encode()
            )
            return Reply(200, wsdl, "text/xml; charset=utf-8")
        if path.split("?")[0] != PATH:
            return Reply(404, b"not found")
        status, answer = self.service.handle(body)
        return Reply(status, answer, f"text/xml; charset={self.knobs.encoding}")
