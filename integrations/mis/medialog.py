"""The МЕДИАЛОГ adapter: its SOAP planning service through zeep.

The operations and their shapes are assumed (no public WSDL exists; see
integrations/simulators/medialog/planning.wsdl and ../shared/INTEGRATIONS.md):
departments, specialities, exams (visit types with durations and prices),
resources (doctors), a schedule of WORK / BUSY / BREAK intervals given as a
date, a start as an HHMM integer and a duration in minutes, all on the MIS's
own wall clock, and BookSlot / CancelBooking. BookSlot is idempotent by its
externalId. Every call carries a WS-Security UsernameToken (password digest)
and has a timeout.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import ClassVar
from zoneinfo import ZoneInfo

import requests
from zeep import Client, Settings
from zeep.exceptions import Error as ZeepError
from zeep.exceptions import Fault, TransportError
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

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

BINDING = "{urn:medialog:planning:1}PlanningBinding"
# Fault codes (MedialogError/code) that mean "try again later", not "you asked wrong".
TRANSIENT_FAULTS = {"INTERNAL", "UNAVAILABLE", "LOCKED"}


class _Transport(Transport):
    """zeep's transport, but an error page (a proxy's 503, HTML) is a transport error."""

    def post(self, address, message, headers):
        response = super().post(address, message, headers)
        if response.status_code != 200 and "xml" not in response.headers.get("Content-Type", ""):
            raise TransportError(
                f"HTTP {response.status_code} without a SOAP answer",
                status_code=response.status_code,
            )
        return response


class MedialogMis:
    """MisAdapter over МЕДИАЛОГ's SOAP planning service."""

    name = "medialog"
    # МЕДИАЛОГ's free slot (assumed, INTEGRATIONS.md): slots on the day
    # template's 15-minute grid, no buffer between visits, lunch closed.
    slot_policy = SlotPolicy(grid_minutes=15, buffer_minutes=0, breaks_block=True)

    # What MIS_ADAPTER=medialog is built from: keyword -> setting (integrations.mis.ADAPTERS).
    SETTINGS: ClassVar[dict[str, str]] = {
        "url": "MEDIALOG_URL",
        "user": "MEDIALOG_USER",
        "password": "MEDIALOG_PASSWORD",
        "time_zone": "MEDIALOG_TIME_ZONE",
        "timeout": "MEDIALOG_TIMEOUT",
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
        self.url = url
        self.time_zone = time_zone
        self.timeout = timeout
        self._zone = ZoneInfo(time_zone)
        self._user = user
        self._password = password
        self._service = None  # loaded on first use: constructing never touches the network

    # --- the MisAdapter port ---------------------------------------------

    def ping(self) -> MisStatus:
        answer = self._call("GetVersion")
        reported = answer.timeZone or ""
        skew = (
            answer.serverTime.replace(tzinfo=self._zone) - datetime.now(self._zone)
        ).total_seconds()
        extra = {"version": answer.version, "time_zone": reported, "clock_skew": f"{skew:.0f}"}
        if reported and reported != self.time_zone:
            # Every time would be converted wrongly: report it rather than sync.
            return MisStatus(
                system=self.name,
                ok=False,
                detail=f"MIS keeps {reported}, configured {self.time_zone}",
                extra=extra,
            )
        return MisStatus(
            system=self.name, ok=True, detail=f"МЕДИАЛОГ {answer.version}", extra=extra
        )

    def branches(self) -> list[Branch]:
        return [
            Branch(d.id, d.name, d.address or "", d.phone or "", d.timeZone)
            for d in self._call("GetDepartments") or []
        ]

    def specialties(self) -> list[Specialty]:
        return [Specialty(s.id, s.name) for s in self._call("GetSpecialities") or []]

    def services(self) -> list[Service]:
        return [
            Service(
                external_id=e.id,
                code=e.code,
                name=e.name,
                specialty_id=e.specialityId or None,
                duration_minutes=e.duration,
                price=Decimal(e.price),
                online=bool(e.online),
            )
            for e in self._call("GetExams") or []
        ]

    def doctors(self) -> list[Doctor]:
        return [
            Doctor(
                external_id=r.id,
                last_name=r.lastName,
                first_name=r.firstName,
                middle_name=r.middleName or "",
                specialty_ids=_ids(r.specialities),
                branch_ids=_ids(r.departments),
                service_ids=_ids(r.exams),
                career_start=r.careerStart,
                category=r.category or "",
                degree=r.degree or "",
            )
            for r in self._call("GetResources") or []
        ]

    def schedule(self, *, start: date, end: date) -> Schedule:
        work: list[WorkInterval] = []
        busy: list[BusyInterval] = []
        breaks: list[BreakInterval] = []
        for row in self._call("GetSchedule", dateFrom=start, dateTo=end) or []:
            begins = self._wall_clock(row.date, row.startHHMM)
            ends = begins + timedelta(minutes=row.duration)
            if row.kind == "WORK":
                work.append(WorkInterval(row.resourceId, row.departmentId or "", begins, ends))
            elif row.kind == "BUSY":
                busy.append(BusyInterval(row.resourceId, begins, ends))
            elif row.kind == "BREAK":
                breaks.append(BreakInterval(row.resourceId, begins, ends))
        return Schedule(work=tuple(work), busy=tuple(busy), breaks=tuple(breaks))

    def book(self, request: BookingRequest) -> MisAppointment:
        patient = request.patient
        patient_id = patient.external_id or self._call(
            "FindOrCreatePatient",
            lastName=patient.last_name,
            firstName=patient.first_name,
            middleName=patient.middle_name or None,
            birthDate=patient.birth_date,
            phone=patient.phone,
            email=patient.email or None,
        )
        local = request.start.astimezone(self._zone)
        planning = self._call(
            "BookSlot",
            resourceId=request.doctor_id,
            departmentId=request.branch_id,
            date=local.date(),
            startHHMM=local.hour * 100 + local.minute,
            duration=int((request.end - request.start).total_seconds() // 60),
            patientId=patient_id,
            examId=request.service_id,
            externalId=request.idempotency_key,
        )
        begins = self._wall_clock(planning.date, planning.startHHMM)
        return MisAppointment(
            external_id=planning.planningId,
            doctor_id=planning.resourceId,
            start=begins,
            end=begins + timedelta(minutes=planning.duration),
            status=(planning.status or "booked").lower(),
        )

    def cancel(self, *, appointment_id: str, idempotency_key: str) -> None:
        self._call("CancelBooking", planningId=appointment_id, reason=f"site {idempotency_key}")

    def find_patients(
        self, *, phone: str, birth_date: date | None = None, last_name: str = ""
    ) -> list[Patient]:
        rows = self._call(
            "FindPatients", phone=phone, birthDate=birth_date, lastName=last_name or None
        )
        return [
            Patient(
                last_name=row.lastName,
                first_name=row.firstName,
                middle_name=row.middleName or "",
                birth_date=row.birthDate,
                phone=row.phone,
                email=row.email or "",
                external_id=row.patientId,
                sex=row.sex or "",
            )
            for row in rows or []
        ]

    # --- beyond the port ------------------------------------------------------

    def free_slots(
        self, *, doctor_id: str, service_id: str, start: date, end: date
    ) -> list[WorkInterval]:
        """МЕДИАЛОГ's own free slots (GetFreeSlots), to check `slot_policy` against."""
        rows = self._call(
            "GetFreeSlots", resourceId=doctor_id, dateFrom=start, dateTo=end, examId=service_id
        )
        slots = []
        for row in rows or []:
            begins = self._wall_clock(row.date, row.startHHMM)
            ends = begins + timedelta(minutes=row.duration)
            slots.append(WorkInterval(row.resourceId, row.departmentId, begins, ends))
        return slots

    # --- SOAP ------------------------------------------------------------------

    def _wall_clock(self, day: date, hhmm: int) -> datetime:
        hours, minutes = divmod(hhmm, 100)
        return datetime.combine(day, time(hours, minutes), tzinfo=self._zone)

    def _client_service(self):
        if self._service is None:
            session = requests.Session()
            transport = _Transport(
                session=session, timeout=self.timeout, operation_timeout=self.timeout
            )
            client = Client(
                f"{self.url}?wsdl",
                transport=transport,
                wsse=UsernameToken(self._user, self._password, use_digest=True),
                settings=Settings(strict=True, xml_huge_tree=False),
            )
            # The configured URL wins over the address inside the WSDL (proxies).
            self._service = client.create_service(BINDING, self.url)
        return self._service

    def _call(self, operation: str, **params: object):
        try:
            return getattr(self._client_service(), operation)(**params)
        except Fault as fault:
            raise _fault_error(operation, fault) from fault
        except TransportError as exc:
            if exc.status_code >= 500 or exc.status_code == 0:
                raise MisUnavailable(f"МЕДИАЛОГ {operation}: HTTP {exc.status_code}") from exc
            raise MisError(f"МЕДИАЛОГ {operation}: HTTP {exc.status_code}") from exc
        except requests.HTTPError as exc:  # loading the WSDL
            status = exc.response.status_code if exc.response is not None else 0
            error = MisUnavailable if status >= 500 else MisError
            raise error(f"МЕДИАЛОГ WSDL: HTTP {status}") from exc
        except requests.RequestException as exc:  # refused, reset, timed out
            raise MisUnavailable(f"МЕДИАЛОГ {operation}: {type(exc).__name__}") from exc
        except ZeepError as exc:  # an answer that is not what the WSDL promises
            raise MisError(f"МЕДИАЛОГ {operation}: {exc}") from exc


def _ids(id_list: object) -> tuple[str, ...]:
    return tuple(getattr(id_list, "id", None) or ())


def _fault_code(fault: Fault) -> str:
    detail = fault.detail
    if detail is not None:
        code = detail.findtext(".//{urn:medialog:planning:1}code")
        if code:
            return code.strip()
    return ""


def _fault_error(operation: str, fault: Fault) -> MisError:
    code = _fault_code(fault)
    message = f"МЕДИАЛОГ {operation}: {fault.message}"
    if code == "SLOT_TAKEN":
        return SlotTaken(message)
    if code in TRANSIENT_FAULTS:
        return MisUnavailable(message)
    return MisError(message)
