"""Free slots: the one computation of what a doctor (or room) has free.

Schedule rows stored from the MIS (work, busy, breaks) minus the appointments
that take their time here, cut by the service's duration and the MIS's slot
policy (booking.slots does the interval arithmetic). The slot cache
(booking.slot_cache) stores what this computes per doctor-day; the selectors
read through the cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from booking.directory import directory
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


def takes_its_time(*, now: datetime | None = None) -> Q:
    """The rule: confirmed or awaiting, or held and not expired."""
    return Q(status__in=(Appointment.Status.AWAITING, Appointment.Status.CONFIRMED)) | Q(
        status=Appointment.Status.HELD, hold_expires_at__gt=now or timezone.now()
    )


def active_appointments(*, now: datetime | None = None):
    """Appointments that take their time (see takes_its_time)."""
    return Appointment.objects.filter(takes_its_time(now=now))


# Appointments this far either side of a window are loaded with it (a long
# visit, or a buffer, reaching into the window).
SPAN_REACH = timedelta(days=1)


def load_schedules(
    *,
    doctor_ids: list[int],
    start: datetime,
    end: datetime,
    now: datetime | None = None,
    include_busy: bool = True,
) -> dict[int, tuple[list, list]]:
    """For each doctor: schedule rows and active appointment spans around [start, end).

    Two queries whatever the number of doctors.
    """
    loaded: dict[int, tuple[list, list]] = {pk: ([], []) for pk in doctor_ids}
    rows = ScheduleInterval.objects.filter(
        doctor_id__in=doctor_ids, end__gt=start, start__lt=end
    ).values_list("doctor_id", "kind", "branch_id", "start", "end")
    for doctor_id, kind, branch_id, row_start, row_end in rows:
        if include_busy or kind != ScheduleInterval.Kind.BUSY:
            loaded[doctor_id][0].append((kind, branch_id, row_start, row_end))
    if include_busy:
        spans = (
            active_appointments(now=now)
            .filter(
                doctor_id__in=doctor_ids,
                start__lt=end + SPAN_REACH,
                end__gt=start - SPAN_REACH,
            )
            .values_list("doctor_id", "start", "end")
        )
        for doctor_id, a_start, a_end in spans:
            loaded[doctor_id][1].append((a_start, a_end))
    return loaded


def compute_free_slots(
    *,
    rows: list,
    appointment_spans: list,
    service: Service,
    policy: SlotPolicy,
    start: datetime,
    end: datetime,
) -> list[Interval]:
    """Free slots (place = branch id) from loaded rows: the pure part of the work."""
    work, busy, breaks = [], [], []
    for kind, branch_id, row_start, row_end in rows:
        if kind == ScheduleInterval.Kind.WORK:
            work.append(Interval(row_start, row_end, branch_id))
        elif kind == ScheduleInterval.Kind.BUSY:
            busy.append(Interval(row_start, row_end))
        else:
            breaks.append(Interval(row_start, row_end))
    if not work:
        return []
    busy += [Interval(a_start, a_end) for a_start, a_end in appointment_spans]
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
    return [s for s in slots if s.start < end]


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
    rows, spans = load_schedules(
        doctor_ids=[doctor.pk], start=start, end=end, now=now, include_busy=include_busy
    )[doctor.pk]
    slots = compute_free_slots(
        rows=rows,
        appointment_spans=spans,
        service=service,
        policy=policy or slot_policy(),
        start=start,
        end=end,
    )
    branches = directory().branches
    return [FreeSlot(doctor, s.start, s.end, branches.get(s.place), service) for s in slots]
