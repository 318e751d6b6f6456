"""Mirror the MIS schedule for a window of days into ScheduleInterval rows.

Only the difference is written, so a sync with no change writes nothing,
and the doctor-days that did change are reported (slot caches of just
those days can be dropped).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from booking.models import ScheduleInterval
from booking.slot_cache import days_of, invalidate
from catalog.models import Branch, Doctor
from integrations.ports import MisAdapter

Key = tuple[int, str, int | None, datetime, datetime]


@dataclass
class ScheduleSyncResult:
    created: int = 0
    deleted: int = 0
    # (doctor id, UTC date) pairs whose schedule changed: their cached slots are dropped.
    changed_doctor_days: set[tuple[int, date]] = field(default_factory=set)

    @property
    def written(self) -> int:
        return self.created + self.deleted

    def as_dict(self) -> dict[str, object]:
        return {
            "created": self.created,
            "deleted": self.deleted,
            "changed_doctor_days": len(self.changed_doctor_days),
        }


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("MIS adapters must return timezone-aware datetimes")
    return moment.astimezone(UTC)


@transaction.atomic
def sync_schedule(*, adapter: MisAdapter, start: date, days: int) -> ScheduleSyncResult:
    """Replace the stored schedule of [start, start + days) with the MIS's."""
    end = start + timedelta(days=days - 1)
    mis_zone = ZoneInfo(adapter.time_zone)
    # The MIS answers for intervals starting on these dates in its own zone.
    window_start = datetime.combine(start, time(), mis_zone)
    window_end = datetime.combine(end + timedelta(days=1), time(), mis_zone)

    schedule = adapter.schedule(start=start, end=end)
    # A doctor the MIS no longer lists (deactivated) keeps no bookable schedule.
    doctors = dict(Doctor.objects.filter(is_active=True).values_list("external_id", "pk"))
    branches = dict(Branch.objects.values_list("external_id", "pk"))

    wanted: set[Key] = set()
    for w in schedule.work:
        if w.doctor_id in doctors:
            wanted.add(
                (
                    doctors[w.doctor_id],
                    ScheduleInterval.Kind.WORK,
                    branches.get(w.branch_id),
                    _utc(w.start),
                    _utc(w.end),
                )
            )
    for kind, intervals in (
        (ScheduleInterval.Kind.BUSY, schedule.busy),
        (ScheduleInterval.Kind.BREAK, schedule.breaks),
    ):
        for i in intervals:
            if i.doctor_id in doctors:
                wanted.add((doctors[i.doctor_id], kind, None, _utc(i.start), _utc(i.end)))

    stored = ScheduleInterval.objects.filter(start__gte=window_start, start__lt=window_end)
    existing: dict[Key, int] = {
        (
            row.doctor_id,
            row.kind,
            row.branch_id,
            row.start.astimezone(UTC),
            row.end.astimezone(UTC),
        ): row.pk
        for row in stored.only("pk", "doctor_id", "kind", "branch_id", "start", "end")
    }
    # Only intervals inside the window are the MIS's answer for it.
    wanted = {key for key in wanted if window_start <= key[3] < window_end}
    missing = wanted - existing.keys()
    extra = existing.keys() - wanted

    result = ScheduleSyncResult(created=len(missing), deleted=len(extra))
    if extra:
        ScheduleInterval.objects.filter(pk__in=[existing[key] for key in extra]).delete()
    if missing:
        ScheduleInterval.objects.bulk_create(
            ScheduleInterval(doctor_id=d, kind=k, branch_id=b, start=s, end=e)
            for d, k, b, s, e in missing
        )
    result.changed_doctor_days = {
        (key[0], day) for key in missing | extra for day in days_of(key[3], key[4])
    }
    invalidate(result.changed_doctor_days)
    transaction.on_commit(lambda: invalidate(result.changed_doctor_days))
    return result
