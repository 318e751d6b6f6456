"""Reads of the booking app: free slots of a doctor from the stored schedule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from booking.models import ScheduleInterval
from booking.slots import Interval, free_slots
from catalog.models import Branch, Doctor, Service
from integrations.mis import get_mis_adapter


@dataclass(frozen=True)
class FreeSlot:
    start: datetime  # UTC
    end: datetime
    branch: Branch | None
    service: Service

    @property
    def local_start(self) -> datetime:
        """Start in the branch's own time zone, as the patient will see the clock."""
        zone = ZoneInfo(self.branch.time_zone) if self.branch else timezone.get_current_timezone()
        return self.start.astimezone(zone)


def default_service(doctor: Doctor) -> Service | None:
    """The service a doctor page offers by default: the first consultation."""
    services = [s for s in doctor.services.all() if s.is_active and not s.is_online]
    first_visits = [s for s in services if s.is_first_visit]
    return (first_visits or services or [None])[0]


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
    policy = get_mis_adapter().slot_policy
    rows = ScheduleInterval.objects.filter(
        doctor=doctor, end__gt=now, start__lt=now + timedelta(days=days)
    ).select_related("branch")
    work, busy, breaks, branches = [], [], [], {}
    for row in rows:
        interval = Interval(row.start, row.end, row.branch_id)
        if row.kind == ScheduleInterval.Kind.WORK:
            work.append(interval)
            branches[row.branch_id] = row.branch
        elif row.kind == ScheduleInterval.Kind.BUSY:
            busy.append(interval)
        else:
            breaks.append(interval)
    slots = free_slots(
        work=work,
        busy=busy,
        breaks=breaks,
        duration=timedelta(minutes=service.duration_minutes),
        buffer=timedelta(minutes=policy.buffer_minutes),
        grid=timedelta(minutes=policy.grid_minutes) if policy.grid_minutes else None,
        breaks_block=policy.breaks_block,
        not_before=now,
    )
    return [FreeSlot(s.start, s.end, branches.get(s.place), service) for s in slots[:limit]]
