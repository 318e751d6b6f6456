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
