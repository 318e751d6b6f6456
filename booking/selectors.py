"""Reads of the booking app: free slots from the stored schedule and appointments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from booking.models import Appointment, ScheduleInterval
from booking.slots import Interval, free_slots
from catalog.models import Branch, Doctor, Service
from integrations.mis import get_mis_adapter
from integrations.ports import SlotPolicy


@dataclass(frozen=True)
class FreeSlot:
    doctor: Doctor
    start: datetime  # UTC
    end: datetime
    branch: Branch | None
    service: Service

    @property
    def local_start(self) -> datetime:
        """Start in the branch's own time zone, as the patient will see the clock."""
        zone = ZoneInfo(self.branch.time_zone) if self.branch else timezone.get_current_timezone()
        return self.start.astimezone(zone)


def slot_policy() -> SlotPolicy:
    return get_mis_adapter().slot_policy


def active_appointments(*, now: datetime | None = None):
    """Appointments that take their time: confirmed or awaiting, or held and not expired."""
    return Appointment.objects.filter(
        Q(status__in=(Appointment.Status.AWAITING, Appointment.Status.CONFIRMED))
        | Q(status=Appointment.Status.HELD, hold_expires_at__gt=now or timezone.now())
    )


def default_service(doctor: Doctor) -> Service | None:
    """The service a doctor page offers by default: the first consultation."""
    services = [s for s in doctor.services.all() if s.is_active and not s.is_online]
    first_visits = [s for s in services if s.is_first_visit]
    return (first_visits or services or [None])[0]


def doctor_free_slots(
    *,
    doctor: Doctor,
    service: Service,
    start: datetime,
    end: datetime,
    policy: SlotPolicy | None = None,
    include_busy: bool = True,
    now: datetime | None = None,
) -> list[FreeSlot]:
    """Free slots of `service` with `doctor` starting in [start, end).

    Busy: what the MIS reports plus the appointments active here (a hold is
    busy for everyone else the moment it is taken). include_busy=False gives
    the slots the schedule would have if nothing were booked.
    """
    policy = policy or slot_policy()
    rows = ScheduleInterval.objects.filter(doctor=doctor, end__gt=start, start__lt=end)
    work, busy, breaks, branch_ids = [], [], [], set()
    for row in rows:
        interval = Interval(row.start, row.end, row.branch_id)
        if row.kind == ScheduleInterval.Kind.WORK:
            work.append(interval)
            branch_ids.add(row.branch_id)
        elif row.kind == ScheduleInterval.Kind.BUSY:
            if include_busy:
                busy.append(interval)
        else:
            breaks.append(interval)
    if not work:
        return []
    if include_busy:
        busy += [
            Interval(a_start, a_end)
            for a_start, a_end in active_appointments(now=now)
            .filter(
                doctor=doctor,
                start__lt=end + timedelta(days=1),
                end__gt=start - timedelta(days=1),
            )
            .values_list("start", "end")
        ]
    branches = Branch.objects.in_bulk(branch_ids)
    slots = free_slots(
        work=work,
        busy=busy,
        breaks=breaks,
        duration=timedelta(minutes=service.duration_minutes),
        buffer=timedelta(minutes=policy.buffer_minutes),
        grid=timedelta(minutes=policy.grid_minutes) if policy.grid_minutes else None,
        breaks_block=policy.breaks_block,
        not_before=start,
    )
    return [
        FreeSlot(doctor, s.start, s.end, branches.get(s.place), service)
        for s in slots
        if s.start < end
    ]


def next_free_slots(
    *,
    doctor: Doctor,
    service: Service | None = None,
    now: datetime | None = None,
    days: int = 14,
    limit: int = 8,
) -> list[FreeSlot]:
    """The doctor's earliest free slots for `service` within `days` from now."""
    service = service or default_service(doctor)
    if service is None:
        return []
    now = now or timezone.now()
    slots = doctor_free_slots(
        doctor=doctor, service=service, start=now, end=now + timedelta(days=days)
    )
    return slots[:limit]


def nearest_free_slots(
    *, doctor: Doctor, service: Service, around: datetime, count: int = 3, days: int = 14
) -> list[FreeSlot]:
    """The `count` free slots nearest to `around` (before or after, not in the past)."""
    now = timezone.now()
    start = max(now, around - timedelta(days=days))
    slots = doctor_free_slots(
        doctor=doctor, service=service, start=start, end=around + timedelta(days=days)
    )
    slots.sort(key=lambda s: abs(s.start - around))
    return sorted(slots[:count], key=lambda s: s.start)


def _service_for(doctor: Doctor, *, service_id: int | None, online: bool | None):
    offered = [s for s in doctor.services.all() if s.is_active]
    if service_id is not None:
        return next((s for s in offered if s.pk == service_id), None)
    if online is not None:
        offered = [s for s in offered if s.is_online == online]
    first_visits = [s for s in offered if s.is_first_visit]
    return (first_visits or offered or [None])[0]


def search_free_slots(
    *,
    doctor_id: int | None = None,
    specialty_id: int | None = None,
    service_id: int | None = None,
    branch_id: int | None = None,
    online: bool | None = None,
    start: datetime,
    end: datetime,
    limit: int = 50,
) -> list[FreeSlot]:
    """Free slots by doctor, specialty or service (the nearest first), one API for all.

    Served from the slot cache (booking.slot_cache), which every change of a
    doctor's day invalidates.
    """
    from booking.slot_cache import cached_free_slots

    doctors = Doctor.objects.filter(is_active=True).prefetch_related("services")
    if doctor_id is not None:
        doctors = doctors.filter(pk=doctor_id)
    if specialty_id is not None:
        doctors = doctors.filter(specialties__pk=specialty_id)
    if service_id is not None:
        doctors = doctors.filter(services__pk=service_id)
    if branch_id is not None:
        doctors = doctors.filter(branches__pk=branch_id)
    pairs = []
    for doctor in doctors.distinct():
        service = _service_for(doctor, service_id=service_id, online=online)
        if service is not None:
            pairs.append((doctor, service))
    found = cached_free_slots(
        doctors=pairs, start=start, end=end, policy=slot_policy(), now=timezone.now()
    )
    if branch_id is not None:
        found = [s for s in found if s.branch and s.branch.pk == branch_id]
    found.sort(key=lambda s: (s.start, s.doctor.pk))
    return found[:limit]
