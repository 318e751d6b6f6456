"""Free slots served from the cache, invalidated per doctor-day.

Each doctor-day has a version number in the cache; the slots of that day
for a service are stored under a key that includes the version. Anything
that changes a doctor's day (a sync that found a difference, a hold, a
confirmation, a cancellation, an expired hold) bumps that day's version,
so only the doctor-days that changed are recomputed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from django.core.cache import cache

from booking.selectors import FreeSlot, doctor_free_slots
from catalog.models import Branch, Doctor, Service
from integrations.ports import SlotPolicy

TTL_SECONDS = 15 * 60


def _version_key(doctor_id: int, day: date) -> str:
    return f"slots:v:{doctor_id}:{day.isoformat()}"


def _slots_key(doctor_id: int, service_id: int, day: date, version: int) -> str:
    return f"slots:{doctor_id}:{service_id}:{day.isoformat()}:{version}"


def invalidate(doctor_days: Iterable[tuple[int, date]]) -> None:
    """Forget the cached slots of these (doctor id, UTC date) pairs."""
    for doctor_id, day in set(doctor_days):
        key = _version_key(doctor_id, day)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=None)


def days_of(start: datetime, end: datetime) -> list[date]:
    """The UTC dates an interval [start, end) touches."""
    first, last = (
        start.astimezone(UTC).date(),
        (end - timedelta(microseconds=1)).astimezone(UTC).date(),
    )
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def cached_free_slots(
    *,
    doctors: list[tuple[Doctor, Service]],
    start: datetime,
    end: datetime,
    policy: SlotPolicy,
    now: datetime,
) -> list[FreeSlot]:
    """Free slots of each (doctor, service) in [start, end), from the cache where fresh."""
    days = days_of(start, end)
    version_keys = {(d.pk, day): _version_key(d.pk, day) for d, _s in doctors for day in days}
    versions = cache.get_many(list(version_keys.values()))
    slot_keys = {
        (d.pk, s.pk, day): _slots_key(d.pk, s.pk, day, versions.get(version_keys[d.pk, day], 0))
        for d, s in doctors
        for day in days
    }
    cached = cache.get_many(list(slot_keys.values()))
    branch_cache: dict[int, Branch] = {}
    found: list[FreeSlot] = []
    missing: dict[str, list] = {}
    for doctor, service in doctors:
        for day in days:
            key = slot_keys[doctor.pk, service.pk, day]
            rows = cached.get(key)
            if rows is None:
                day_start = datetime.combine(day, time(), UTC)
                fresh = doctor_free_slots(
                    doctor=doctor,
                    service=service,
                    start=day_start,
                    end=day_start + timedelta(days=1),
                    policy=policy,
                    now=now,
                )
                rows = [(s.start, s.end, s.branch.pk if s.branch else None) for s in fresh]
                missing[key] = rows
                for s in fresh:
                    if s.branch:
                        branch_cache[s.branch.pk] = s.branch
            for slot_start, slot_end, branch_id in rows:
                if start <= slot_start < end and slot_start > now:
                    found.append((doctor, service, slot_start, slot_end, branch_id))
    if missing:
        cache.set_many(missing, timeout=TTL_SECONDS)
    needed = {b for *_x, b in found if b is not None and b not in branch_cache}
    branch_cache.update(Branch.objects.in_bulk(needed))
    return [
        FreeSlot(doctor, slot_start, slot_end, branch_cache.get(branch_id), service)
        for doctor, service, slot_start, slot_end, branch_id in found
    ]
