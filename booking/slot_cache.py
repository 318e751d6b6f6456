"""Free slots served from the cache, invalidated per doctor-day.

Each doctor-day has a version number in the cache; the slots of that day
for a service are stored with the version they were computed at. Anything
that changes a doctor's day (a sync that found a difference, a hold, a
confirmation, a cancellation, an expired hold) bumps that day's version,
so only the doctor-days that changed are recomputed. A reader fetches the
versions and the slots in one round trip and takes only slots whose version
is current: slots computed from data read before a change are never served
after it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from django.core.cache import cache

from booking.free_slots import SPAN_REACH, FreeSlot, compute_free_slots, load_schedules
from catalog.models import Branch, Doctor, Service
from clinic_site.cache import bump_many
from integrations.ports import SlotPolicy

TTL_SECONDS = 15 * 60


def _version_key(doctor_id: int, day: date) -> str:
    return f"slots:v:{doctor_id}:{day.isoformat()}"


def _slots_key(doctor_id: int, service_id: int, day: date) -> str:
    return f"slots:{doctor_id}:{service_id}:{day.isoformat()}"


def invalidate(doctor_days: Iterable[tuple[int, date]]) -> None:
    """Forget the cached slots of these (doctor id, UTC date) pairs."""
    keys = sorted({_version_key(doctor_id, day) for doctor_id, day in doctor_days})
    if keys:
        bump_many(keys)


def days_of(start: datetime, end: datetime) -> list[date]:
    """The UTC dates an interval [start, end) touches."""
    first = start.astimezone(UTC).date()
    last = (end - timedelta(microseconds=1)).astimezone(UTC).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _days_slots(
    pairs: list[tuple[Doctor, Service]], days: list[date], policy: SlotPolicy, now: datetime
) -> dict[tuple[int, date], list[tuple[datetime, datetime, int | None]]]:
    """Slots of some UTC days for each doctor: one cache round trip for the cached
    ones, two queries for all the rest."""
    version_keys = {(d.pk, day): _version_key(d.pk, day) for d, _s in pairs for day in days}
    keys = {(d.pk, day): _slots_key(d.pk, s.pk, day) for d, s in pairs for day in days}
    found = cache.get_many([*version_keys.values(), *keys.values()])
    versions = {dd: found.get(key, 0) for dd, key in version_keys.items()}
    result = {}
    for dd, key in keys.items():
        entry = found.get(key)
        if entry is not None and entry[0] == versions[dd]:
            result[dd] = entry[1]
    missing = [(d, s, day) for day in days for d, s in pairs if (d.pk, day) not in result]
    fresh = {}
    if missing:
        # One load for every missing doctor-day (a cold cache misses many).
        first, last = min(m[2] for m in missing), max(m[2] for m in missing)
        loaded = load_schedules(
            doctor_ids=sorted({d.pk for d, _s, _day in missing}),
            start=datetime.combine(first, time(), UTC),
            end=datetime.combine(last + timedelta(days=1), time(), UTC),
            now=now,
        )
        for doctor, service, day in missing:
            day_start = datetime.combine(day, time(), UTC)
            day_end = day_start + timedelta(days=1)
            rows, spans = loaded[doctor.pk]
            slots = compute_free_slots(
                rows=[r for r in rows if r[2] < day_end and r[3] > day_start],
                appointment_spans=[
                    (a_start, a_end)
                    for a_start, a_end in spans
                    if a_start < day_end + SPAN_REACH and a_end > day_start - SPAN_REACH
                ],
                service=service,
                policy=policy,
                start=day_start,
                end=day_end,
            )
            result[doctor.pk, day] = [(x.start, x.end, x.place) for x in slots]
            fresh[keys[doctor.pk, day]] = (versions[doctor.pk, day], result[doctor.pk, day])
    if fresh:
        cache.set_many(fresh, timeout=TTL_SECONDS)
    return result


def cached_free_slots(
    *,
    doctors: list[tuple[Doctor, Service]],
    start: datetime,
    end: datetime,
    policy: SlotPolicy,
    now: datetime,
    enough: int | None = None,
    branches: dict[int, Branch] | None = None,
) -> list[FreeSlot]:
    """Free slots of each (doctor, service) in [start, end), from the cache where fresh.

    With `enough`, reads day by day and stops after the first day that brings
    the count to it: later days only hold later slots.
    """
    all_days = days_of(start, end)
    batches = [[day] for day in all_days] if enough is not None else [all_days]
    found: list[tuple[Doctor, Service, datetime, datetime, int | None]] = []
    for days in batches:
        per_day = _days_slots(doctors, days, policy, now)
        for day in days:
            for doctor, service in doctors:
                for slot_start, slot_end, branch_id in per_day[doctor.pk, day]:
                    if start <= slot_start < end and slot_start > now:
                        found.append((doctor, service, slot_start, slot_end, branch_id))
        if enough is not None and len(found) >= enough:
            break
    if branches is None:
        branches = Branch.objects.in_bulk({b for *_x, b in found if b is not None})
    return [
        FreeSlot(doctor, slot_start, slot_end, branches.get(branch_id), service)
        for doctor, service, slot_start, slot_end, branch_id in found
    ]
