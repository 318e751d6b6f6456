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
