"""Reads of the booking app: free slots through the slot cache, appointments, rooms."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from booking.directory import directory
from booking.free_slots import FreeSlot, doctor_free_slots, slot_policy
from booking.models import Appointment
from booking.slot_cache import cached_free_slots
from catalog.models import Doctor, ProcedureRoom, Service

_TAKEN_SQL = """
    SELECT idempotency_key FROM {table}
     WHERE (doctor_id = %s AND start < %s AND blocked_until > %s
            AND (status IN (%s, %s) OR (status = %s AND hold_expires_at > %s)))
        OR idempotency_key = %s
"""


def keys_taking(
    *, doctor_id: int, start: datetime, blocked_until: datetime, now: datetime, key: str | None
) -> list[str | None]:
    """Idempotency keys of the appointments that take [start, blocked_until) of
    this doctor now (takes_its_time), plus `key` itself wherever it is booked.

    The refused hold's one query, in SQL: every request of a rush for one time
    asks it, and the ORM took longer to build it than PostgreSQL to answer
    (tests/booking/test_booking_services.py checks it against the ORM rule).
    """
    status, moment = Appointment.Status, connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            _TAKEN_SQL.format(table=connection.ops.quote_name(Appointment._meta.db_table)),
            [
                doctor_id,
                moment(blocked_until),
                moment(start),
                status.AWAITING,
                status.CONFIRMED,
                status.HELD,
                moment(now),
                key,
            ],
        )
        return [row[0] for row in cursor.fetchall()]


def default_service(doctor: Doctor) -> Service | None:
    """The service a doctor page offers by default: the first consultation."""
    services = [s for s in doctor.services.all() if s.is_active and not s.is_online]
    first_visits = [s for s in services if s.is_first_visit]
    return (first_visits or services or [None])[0]


# --- rooms: bookable like doctors, but not people (catalog.ProcedureRoom) ------


def rooms():
    """Active rooms (the procedure room of each branch), in the MIS's order."""
    return (
        ProcedureRoom.objects.filter(is_active=True)
        .prefetch_related("branches", "services")
        .order_by("pk")
    )


def people():
    """Doctors who are people: every synced doctor but the rooms."""
    return Doctor.objects.people()


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


# Alternatives are looked for this close to the wanted time first: one read of
# three cached days answers nearly every loser of a race.
NEAR = timedelta(days=1)


def slots_near(
    *, doctor: Doctor, service: Service, around: datetime, now: datetime | None = None
) -> list[FreeSlot]:
    """The free slots within NEAR of `around` (not in the past), from the slot cache."""
    now = now or timezone.now()
    return cached_free_slots(
        doctors=[(doctor, service)],
        start=max(now, around - NEAR),
        end=around + NEAR,
        policy=slot_policy(),
        now=now,
        branches=directory().branches,
    )


def nearest_free_slots(
    *,
    doctor: Doctor,
    service: Service,
    around: datetime,
    count: int = 3,
    days: int = 14,
    near: list[FreeSlot] | None = None,
) -> list[FreeSlot]:
    """The `count` free slots nearest to `around` (before or after, not in the past),
    from the slot cache: every loser of a race asks for these.

    `near` is what slots_near() gave, when the caller has it already. When
    its `count` nearest all lie closer than NEAR, no slot outside it can be
    nearer; else the whole window of `days` either side is read.
    """
    now = timezone.now()
    if near is None:
        near = slots_near(doctor=doctor, service=service, around=around, now=now)
    picked = _nearest(near, around, count)
    if len(picked) < count or any(abs(s.start - around) >= NEAR for s in picked):
        slots = cached_free_slots(
            doctors=[(doctor, service)],
            start=max(now, around - timedelta(days=days)),
            end=around + timedelta(days=days),
            policy=slot_policy(),
            now=now,
            branches=directory().branches,
        )
        picked = _nearest(slots, around, count)
    return sorted(picked, key=lambda s: s.start)


def _nearest(slots: list[FreeSlot], around: datetime, count: int) -> list[FreeSlot]:
    return sorted(slots, key=lambda s: abs(s.start - around))[:count]


def service_for(offer, *, service_id: int | None = None, online: bool | None = None):
    """The service a doctor's offer (booking.directory) is booked for: the one
    asked for, else the first consultation (online or in person when asked)."""
    offered = offer.services
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

    Who offers what comes from the directory snapshot (booking.directory), the
    slots from the slot cache (booking.slot_cache), which every change of a
    doctor's day invalidates: a warm search reads no table.
    """
    snapshot = directory()
    pairs = []
    for offer in snapshot.offers:
        if doctor_id is not None and offer.doctor.pk != doctor_id:
            continue
        if specialty_id is not None and specialty_id not in offer.specialty_ids:
            continue
        if branch_id is not None and branch_id not in offer.branch_ids:
            continue
        service = service_for(offer, service_id=service_id, online=online)
        if service is not None:
            pairs.append((offer.doctor, service))
    found = cached_free_slots(
        doctors=pairs,
        start=start,
        end=end,
        policy=slot_policy(),
        now=timezone.now(),
        enough=limit if branch_id is None else None,
        branches=snapshot.branches,
    )
    if branch_id is not None:
        found = [s for s in found if s.branch and s.branch.pk == branch_id]
    found.sort(key=lambda s: (s.start, s.doctor.pk))
    return found[:limit]
