"""The N3.Здоровье adapter: the regional booking hub's SOAP service through zeep,
and its FHIR endpoint for lab reports.

Public facts (../shared/INTEGRATIONS.md): a WCF SOAP hub; every call carries
the integration `guid`; GetDistrictList, GetLPUList, CheckPatient,
GetSpesialityList, GetDoctorList, GetAvaibleAppointments (spelled so),
SetAppointment, CreateClaimForRefusal (cancel); every answer has `Success`
and an error list. Labs come as FHIR DiagnosticReport + Observation with
`Authorization: N3 <guid>`.

Assumed (no public WSDL; ours is integrations/simulators/n3/hub.wsdl):
- the clinic's branches are its LPUs in the hub, each with an IANA TimeZone;
- GetServiceList gives the paid services (code, duration, price), which the
  public list of operations does not name;
- IdLpu may be left out of GetSpesialityList / GetDoctorList and IdDoc out
  of GetAvaibleAppointments to ask for the whole clinic;
- GetAvaibleAppointments with AllTickets=true lists every ticket of the
  period with a Status: "free", "busy" (one booked visit) or "break"; a
  working shift is a run of back-to-back tickets. Free tickets are cut on a
  15-minute grid from the start of the shift;
- CheckPatient answers every patient matching phone + birthday + surname
  (ё = е, any case); AddNewPatient registers one;
- SetAppointment books a ticket; VisitEnd lets a longer visit take the
  free tickets after it; IdExternal makes it idempotent;
- ErrorList codes: 1 bad guid, 2 bad request, 11 unknown patient, 20 the
  ticket is not free, 99 internal (transient);
- date-times carry no offset: the hub's wall clock (N3_TIME_ZONE).
GetPatientHistory is not used: visits are not mirrored from the hub.
"""

from __future__ import annotations

import email.utils
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import ClassVar
from zoneinfo import ZoneInfo

import requests
from zeep import Client, Settings
from zeep.exceptions import Error as ZeepError
from zeep.exceptions import Fault, TransportError
from zeep.transports import Transport

from integrations.mis.matching import matching
from integrations.ports import (
    BookingRequest,
    Branch,
    Doctor,
    MisAppointment,
    MisError,
    MisStatus,
    MisUnavailable,
    Patient,
    PatientRecord,
    Schedule,
    Service,
    SlotPolicy,
    SlotTaken,
    Specialty,
)
from integrations.protocols.fhir import FhirClient
from integrations.protocols.slots import schedule_from_slots

BINDING = "{urn:n3health:hub:1}HubBinding"
ERROR_TICKET_TAKEN = 20
TRANSIENT_ERRORS = {99}


class _Transport(Transport):
    """zeep's transport; an error page (a proxy's 503, HTML) is a transport error,
    and the hub's Date header is kept for the clock-skew check."""

    last_date: str = ""

    def post(self, address, message, headers):
        response = super().post(address, message, headers)
        self.last_date = response.headers.get("Date", "")
        if response.status_code != 200:
            raise TransportError(
                f"HTTP {response.status_code} without a SOAP answer",
                status_code=response.status_code,
            )
        return response


class N3Mis:
    """MisAdapter (and PatientRecordSource for lab reports) over the N3.Здоровье hub."""

    name = "n3"
    # The hub's ready-made tickets: 15 minutes apart from the start of a shift,
    # a visit may directly follow another, breaks are taken tickets.
    slot_policy = SlotPolicy(grid_minutes=15, buffer_minutes=0, breaks_block=True)

    # What MIS_ADAPTER=n3 is built from: keyword -> setting (integrations.mis.ADAPTERS).
    SETTINGS: ClassVar[dict[str, str]] = {
        "url": "N3_URL",
        "guid": "N3_GUID",
        "fhir_url": "N3_FHIR_URL",
        "time_zone": "N3_TIME_ZONE",
        "timeout": "N3_TIMEOUT",
    }

    def __init__(
        self,
        *,
        url: str,
        guid: str,
        fhir_url: str = "",
        time_zone: str = "Europe/Moscow",
        timeout: float = 10.0,
    ):
        self.url = url
        self.time_zone = time_zone
        self.timeout = timeout
        self._zone = ZoneInfo(time_zone)
        self._guid = guid
        self._service = None  # loaded on first use: constructing never touches the network
        self._transport: _Transport | None = None
        self._labs = (
            FhirClient(
                url=fhir_url,
                token=guid,
                auth_scheme="N3",
                time_zone=time_zone,
                timeout=timeout,
                label="N3.Здоровье FHIR",
            )
            if fhir_url
            else None
        )

    # --- the MisAdapter port ---------------------------------------------

    def ping(self) -> MisStatus:
        districts = self._call("GetDistrictList").District or []
        extra = {"districts": str(len(districts))}
        sent = self._transport.last_date if self._transport else ""
        if sent:
            moment = email.utils.parsedate_to_datetime(sent)
            extra["clock_skew"] = str(round((moment - datetime.now(moment.tzinfo)).total_seconds()))
        return MisStatus(system=self.name, ok=True, detail="N3.Здоровье hub", extra=extra)

    def branches(self) -> list[Branch]:
        return [
            Branch(lpu.IdLPU, lpu.LPUFullName, lpu.Address or "", lpu.Phone or "", lpu.TimeZone)
            for lpu in self._call("GetLPUList").LPU or []
        ]

    def specialties(self) -> list[Specialty]:
        return [
            Specialty(s.IdSpesiality, s.NameSpesiality)
            for s in self._call("GetSpesialityList").Spesiality or []
        ]

    def services(self) -> list[Service]:
        return [
            Service(
                external_id=s.IdService,
                code=s.Code,
                name=s.Name,
                specialty_id=s.IdSpesiality or None,
                duration_minutes=s.Duration,
                price=Decimal(s.Price),
                online=bool(s.Online),
            )
            for s in self._call("GetServiceList").Service or []
        ]

    def doctors(self) -> list[Doctor]:
        doctors: dict[str, Doctor] = {}
        for specialty in self.specialties():  # the hub lists doctors by specialty
            for d in self._call("GetDoctorList", IdSpesiality=specialty.external_id).Doctor or []:
                doctors.setdefault(
                    d.IdDoc,
                    Doctor(
                        external_id=d.IdDoc,
                        last_name=d.Surname,
                        first_name=d.Name,
                        middle_name=d.SecondName or "",
                        specialty_ids=_ids(d.Spesialities),
                        branch_ids=_ids(d.LPUs),
                        service_ids=_ids(d.Services),
                        career_start=d.CareerStart,
                        category=d.Category or "",
                        degree=d.Degree or "",
                    ),
                )
        return list(doctors.values())

    def schedule(self, *, start: date, end: date) -> Schedule:
        tickets = []
        day = start
        while day <= end:  # one day a call keeps every answer small
            tickets += self._tickets(
                datetime.combine(day, time()), datetime.combine(day + timedelta(days=1), time())
            )
            day += timedelta(days=1)
        return schedule_from_slots(
            (
                t.IdDoc,
                t.IdLpu or "",
                self._local(t.VisitStart),
                self._local(t.VisitEnd),
                t.Status,
            )
            for t in tickets
        )

    def book(self, request: BookingRequest) -> MisAppointment:
        start = request.start.astimezone(self._zone).replace(tzinfo=None)
        ticket = next(
            (
                t
                for t in self._tickets(start, start + timedelta(minutes=1), IdDoc=request.doctor_id)
                if t.VisitStart == start
            ),
            None,
        )
        if ticket is None:
            raise SlotTaken(f"N3.Здоровье: no ticket of {request.doctor_id} at {start}")
        answer = self._call(
            "SetAppointment",
            IdLpu=request.branch_id or ticket.IdLpu,
            IdPat=request.patient.external_id or self._patient_id(request.patient),
            IdAppointment=ticket.IdAppointment,
            VisitEnd=request.end.astimezone(self._zone).replace(tzinfo=None),
            IdService=request.service_id or None,
            IdExternal=request.idempotency_key,
        )
        return self._appointment(answer.Appointment)

    def cancel(self, *, appointment_id: str, idempotency_key: str) -> None:
        self._call("CreateClaimForRefusal", IdAppointment=appointment_id)

    def find_patients(
        self, *, phone: str, birth_date: date | None = None, last_name: str = ""
    ) -> list[Patient]:
        answer = self._call(
            "CheckPatient",
            Pat={"Phone": phone, "Birthday": birth_date, "Surname": last_name or None},
        )
        found = [
            Patient(
                last_name=p.Surname,
                first_name=p.Name,
                middle_name=p.SecondName or "",
                birth_date=p.Birthday,
                phone=p.Phone,
                email=p.Email or "",
                external_id=p.IdPat,
                sex=p.Sex or "",
            )
            for p in answer.Patient or []
        ]
        return matching(found, phone=phone, birth_date=birth_date, last_name=last_name)

    # --- the PatientRecordSource port (lab reports over the hub's FHIR) -------------

    def patient_record(self, *, patient_id: str, since: date | None = None) -> PatientRecord:
        if self._labs is None:
            raise MisError("N3.Здоровье: no FHIR endpoint configured for lab reports")
        # Only the lab reports: the hub's FHIR endpoint serves no visits.
        reports = self._labs.lab_reports(patient_id=patient_id, since=since)
        return PatientRecord(lab_reports=tuple(reports))

    # --- mapping ---------------------------------------------------------------

    def _local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            return moment.replace(tzinfo=self._zone)
        return moment.astimezone(self._zone)

    def _tickets(self, begins: datetime, ends: datetime, **params: object) -> list:
        return (
            self._call(
                "GetAvaibleAppointments",
                VisitStart=begins,
                VisitEnd=ends,
                AllTickets=True,
                **params,
            ).Appointment
            or []
        )

    def _appointment(self, row) -> MisAppointment:
        return MisAppointment(
            external_id=row.IdAppointment,
            doctor_id=row.IdDoc,
            start=self._local(row.VisitStart),
            end=self._local(row.VisitEnd),
            status="cancelled" if row.Status == "cancelled" else "booked",
        )

    def _patient_id(self, patient: Patient) -> str:
        known = [
            p
            for p in self.find_patients(
                phone=patient.phone, birth_date=patient.birth_date, last_name=patient.last_name
            )
            if p.first_name.casefold() == patient.first_name.casefold()
        ]
        if known:
            return known[0].external_id
        answer = self._call(
            "AddNewPatient",
            Pat={
                "Surname": patient.last_name,
                "Name": patient.first_name,
                "SecondName": patient.middle_name or None,
                "Birthday": patient.birth_date,
                "Phone": patient.phone,
                "Email": patient.email or None,
                "Sex": patient.sex or None,
            },
        )
        return answer.IdPat

    # --- SOAP ------------------------------------------------------------------

    def _client_service(self):
        if self._service is None:
            self._transport = _Transport(
                session=requests.Session(), timeout=self.timeout, operation_timeout=self.timeout
            )
            client = Client(
                f"{self.url}?wsdl",
                transport=self._transport,
                settings=Settings(strict=True, xml_huge_tree=True),
            )
            # The configured URL wins over the address inside the WSDL (proxies).
            self._service = client.create_service(BINDING, self.url)
        return self._service

    def _call(self, operation: str, **params: object):
        try:
            answer = getattr(self._client_service(), operation)(guid=self._guid, **params)
        except Fault as fault:
            raise MisError(f"N3.Здоровье {operation}: {fault.message}") from fault
        except TransportError as exc:
            if exc.status_code >= 500 or exc.status_code == 0:
                raise MisUnavailable(f"N3.Здоровье {operation}: HTTP {exc.status_code}") from exc
            raise MisError(f"N3.Здоровье {operation}: HTTP {exc.status_code}") from exc
        except requests.HTTPError as exc:  # loading the WSDL
            status = exc.response.status_code if exc.response is not None else 0
            error = MisUnavailable if status >= 500 else MisError
            raise error(f"N3.Здоровье WSDL: HTTP {status}") from exc
        except requests.RequestException as exc:  # refused, reset, timed out
            raise MisUnavailable(f"N3.Здоровье {operation}: {type(exc).__name__}") from exc
        except ZeepError as exc:  # an answer that is not what the WSDL promises
            raise MisError(f"N3.Здоровье {operation}: {exc}") from exc
        if not answer.Success:
            raise _hub_error(operation, answer)
        return answer


def _ids(id_list: object) -> tuple[str, ...]:
    return tuple(getattr(id_list, "Id", None) or ())


def _hub_error(operation: str, answer) -> MisError:
    errors = (answer.ErrorList.Error if answer.ErrorList is not None else None) or []
    codes = {e.IdError for e in errors}
    message = f"N3.Здоровье {operation}: " + "; ".join(
        f"{e.IdError} {e.ErrorDescription}" for e in errors
    )
    if ERROR_TICKET_TAKEN in codes:
        return SlotTaken(message)
    if codes & TRANSIENT_ERRORS:
        return MisUnavailable(message)
    return MisError(message)
