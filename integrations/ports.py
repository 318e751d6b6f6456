"""Typed ports between the platform and the clinic's external systems.

Adapters return these frozen dataclasses and never touch Django models;
tasks and services translate them into models. Every datetime an adapter
returns is timezone-aware, expressed in that system's own time zone
(`MisAdapter.time_zone`); storage converts it to UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol, runtime_checkable


class MisError(Exception):
    """The MIS answered, but not with what was asked for."""


class MisUnavailable(MisError):
    """The MIS could not be reached (network, timeout, outage)."""


class SlotTaken(MisError):
    """The MIS refused a booking: the interval is no longer free there."""


class SmsError(Exception):
    """The SMS gateway refused the message (bad number, no funds, ...).

    code: the gateway's own error code as text ("202" for sms.ru, "7" for
    smsc.ru), empty when the gateway gave none.
    """

    def __init__(self, message: str = "", *, code: str = "") -> None:
        super().__init__(message)
        self.code = code


class SmsUnavailable(SmsError):
    """The SMS gateway could not be reached."""


class SmsDuplicate(SmsError):
    """The gateway refused the same text to the same number within its
    duplicate window: after a timed-out attempt it means that attempt got through."""


@dataclass(frozen=True)
class Branch:
    external_id: str
    name: str
    address: str
    phone: str
    time_zone: str  # IANA name, e.g. "Asia/Yekaterinburg"


@dataclass(frozen=True)
class Specialty:
    external_id: str
    name: str


@dataclass(frozen=True)
class Service:
    external_id: str
    code: str  # code in the national nomenclature of medical services
    name: str
    specialty_id: str | None
    duration_minutes: int
    price: Decimal  # roubles
    online: bool = False


@dataclass(frozen=True)
class Doctor:
    external_id: str
    last_name: str
    first_name: str
    middle_name: str
    specialty_ids: tuple[str, ...]
    branch_ids: tuple[str, ...]
    service_ids: tuple[str, ...]
    career_start: date | None = None
    category: str = ""
    degree: str = ""


@dataclass(frozen=True)
class WorkInterval:
    """The doctor receives patients at this branch during [start, end)."""

    doctor_id: str
    branch_id: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class BusyInterval:
    """Time already taken: a visit booked by any channel."""

    doctor_id: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class BreakInterval:
    """Time the doctor does not receive: lunch, meetings."""

    doctor_id: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Schedule:
    work: tuple[WorkInterval, ...] = ()
    busy: tuple[BusyInterval, ...] = ()
    breaks: tuple[BreakInterval, ...] = ()


@dataclass(frozen=True)
class Patient:
    """A patient as the MIS knows them (external_id empty until the MIS assigns one)."""

    last_name: str
    first_name: str
    phone: str  # E.164
    middle_name: str = ""
    birth_date: date | None = None
    email: str = ""
    external_id: str = ""
    sex: str = ""  # "male" | "female" | "" (unknown)


@dataclass(frozen=True)
class BookingRequest:
    """Book `service` with `doctor` at `branch` for [start, end).

    idempotency_key: the same key sent twice makes one appointment in the MIS.
    """

    idempotency_key: str
    doctor_id: str
    branch_id: str
    service_id: str
    start: datetime
    end: datetime
    patient: Patient


@dataclass(frozen=True)
class MisAppointment:
    external_id: str
    doctor_id: str
    start: datetime
    end: datetime
    status: str = "booked"  # booked | cancelled


@dataclass(frozen=True)
class SlotPolicy:
    """How this MIS defines a free slot, so the site computes the same slots.

    grid_minutes: slot starts are this far apart, counted from the start of
      a work interval; None means back to back (step = service duration).
    buffer_minutes: gap the MIS keeps between two visits.
    breaks_block: whether breaks (lunch) are closed to booking.
    """

    grid_minutes: int | None = 15
    buffer_minutes: int = 0
    breaks_block: bool = True


@dataclass(frozen=True)
class MisStatus:
    system: str
    ok: bool
    detail: str = ""
    extra: dict[str, str] = field(default_factory=dict)


@runtime_checkable
class MisAdapter(Protocol):
    """The clinic's medical information system, as the platform sees it."""

    name: str
    time_zone: str
    slot_policy: SlotPolicy

    def ping(self) -> MisStatus:
        """Cheap reachability check; raises MisUnavailable when down."""
        ...

    def branches(self) -> list[Branch]: ...

    def specialties(self) -> list[Specialty]: ...

    def services(self) -> list[Service]: ...

    def doctors(self) -> list[Doctor]: ...

    def schedule(self, *, start: date, end: date) -> Schedule:
        """Work, busy and break intervals of every doctor that start on the
        dates start..end inclusive, dates and times in the MIS's own zone."""
        ...

    def book(self, request: BookingRequest) -> MisAppointment:
        """Write the appointment; raises SlotTaken when the MIS has the time
        taken already. The same idempotency key returns the same appointment."""
        ...

    def cancel(self, *, appointment_id: str, idempotency_key: str) -> None:
        """Cancel and free the time in the MIS; cancelling twice is not an error."""
        ...

    def find_patients(
        self, *, phone: str, birth_date: date | None = None, last_name: str = ""
    ) -> list[Patient]:
        """Patients the MIS has with this phone (E.164), narrowed by birth date
        and surname when given (case-insensitive, ё = е). Never creates one;
        an empty list when nobody matches. Deciding whether a match is strong
        enough to link an account is the cabinet's business, not the adapter's."""
        ...


# --- SMS ---------------------------------------------------------------------


@dataclass(frozen=True)
class SmsMessage:
    to: str  # E.164, e.g. "+79001234567"
    text: str
    # The platform's own id of this message: status callbacks and retries refer to it.
    client_id: str


@dataclass(frozen=True)
class SmsReceipt:
    """The gateway accepted the message."""

    gateway: str
    message_id: str  # the gateway's id
    client_id: str


@dataclass(frozen=True)
class SmsStatus:
    """A delivery report: from a status callback or a status query."""

    gateway: str
    message_id: str
    status: str  # queued | sent | delivered | failed
    detail: str = ""


@runtime_checkable
class SmsGateway(Protocol):
    name: str

    def send(self, message: SmsMessage) -> SmsReceipt:
        """Raises SmsUnavailable (retry later) or SmsError (do not retry)."""
        ...

    def status(self, message_id: str) -> SmsStatus: ...

    def parse_status_callback(self, data: dict[str, str]) -> list[SmsStatus]:
        """The delivery reports in one callback request of this gateway."""
        ...


# --- Laboratory catalog: lab tests and check-up programs ----------------------
# A separate port so the MisAdapter protocol stays as it is: an MIS (or a LIS)
# that also publishes the laboratory price list implements LabCatalogSource
# too, and the catalog sync mirrors it when it does.


@dataclass(frozen=True)
class LabTest:
    external_id: str
    code: str  # code in the national nomenclature (A09/A12/A26/B03)
    name: str
    biomaterial: str  # «венозная кровь», «моча», ...
    preparation: str  # what the patient must do before the sample is taken
    turnaround_days: int  # working days until the lab report is ready
    price: Decimal  # roubles


@dataclass(frozen=True)
class CheckupProgram:
    """A check-up: a fixed set of lab tests and services sold together."""

    external_id: str
    name: str
    description: str
    lab_test_ids: tuple[str, ...]
    service_ids: tuple[str, ...]


@runtime_checkable
class LabCatalogSource(Protocol):
    def lab_tests(self) -> list[LabTest]: ...

    def checkup_programs(self) -> list[CheckupProgram]: ...


# --- The patient's medical record ----------------------------------------------
# A separate port: an MIS (or a regional hub, or a FHIR server) that can give
# out a patient's history implements PatientRecordSource; a LIS that sends lab
# reports produces LabReport values too. Values are plain text here: the
# cabinet encrypts them when it stores them.


@dataclass(frozen=True)
class Observation:
    """One analyte of a lab report: «Гемоглобин» 128 г/л.

    value: as the lab printed it ("128", "5,4", "отрицательно"); numeric
    values also fill `numeric`. The reference range is the one the lab used
    for this patient, when the lab sends it; the cabinet falls back to its own
    ranges by sex and age when it does not.
    """

    code: str  # LOINC where the lab uses it, else the lab's own code
    name: str
    value: str
    unit: str = ""
    numeric: Decimal | None = None
    ref_low: Decimal | None = None
    ref_high: Decimal | None = None
    comment: str = ""


@dataclass(frozen=True)
class LabReport:
    external_id: str
    patient_id: str  # the patient's id in the system that sent the report
    title: str  # «Общий анализ крови»
    collected_at: datetime
    issued_at: datetime
    observations: tuple[Observation, ...]
    status: str = "final"  # preliminary | final | corrected
    lab_test_id: str = ""  # catalog LabTest external id, when known
    conclusion: str = ""


@dataclass(frozen=True)
class Diagnosis:
    code: str  # ICD-10, e.g. "J06.9"
    name: str
    kind: str = "main"  # main | concomitant | complication


@dataclass(frozen=True)
class Visit:
    external_id: str
    patient_id: str
    doctor_id: str
    branch_id: str
    start: datetime
    protocol: str  # the doctor's protocol as text
    diagnoses: tuple[Diagnosis, ...] = ()
    referrals: tuple[str, ...] = ()  # «Общий анализ крови», «УЗИ щитовидной железы»


@dataclass(frozen=True)
class Prescription:
    external_id: str
    patient_id: str
    visit_id: str
    medicine: str  # trade name or INN
    dose: str  # «500 мг»
    frequency: str  # «2 раза в день»
    start: date
    duration_days: int
    instructions: str = ""


@dataclass(frozen=True)
class PatientDocument:
    external_id: str
    patient_id: str
    kind: str  # certificate | discharge | contract | act | other
    title: str
    issued_at: datetime
    content: bytes
    content_type: str = "application/pdf"
    file_name: str = "document.pdf"


@dataclass(frozen=True)
class PatientRecord:
    visits: tuple[Visit, ...] = ()
    prescriptions: tuple[Prescription, ...] = ()
    lab_reports: tuple[LabReport, ...] = ()
    documents: tuple[PatientDocument, ...] = ()


@runtime_checkable
class PatientRecordSource(Protocol):
    def patient_record(self, *, patient_id: str, since: date | None = None) -> PatientRecord:
        """Everything of the patient's history dated on or after `since`
        (all of it when None); raises MisUnavailable when the system is down."""
        ...


# --- Laboratory results from a LIS --------------------------------------------
# Labs that push reports call the webhook (integrations/lis/); labs without
# webhooks are polled through this port.


class LabSourceUnavailable(Exception):
    """The lab's results endpoint could not be reached or answered with an error."""


@runtime_checkable
class LabResultSource(Protocol):
    name: str

    def results_since(self, since: datetime) -> list[LabReport]:
        """Reports the lab issued (or changed) at or after `since`, oldest first.

        Raises LabSourceUnavailable on an outage; the caller keeps its cursor."""
        ...
