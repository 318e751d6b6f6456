"""One MIS sync: the directory into the catalog, then the schedule into booking."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache

from booking.schedule_sync import ScheduleSyncResult, sync_schedule
from catalog.sync import CatalogSyncResult, sync_catalog
from integrations.mis import get_mis_adapter
from integrations.ports import MisAdapter

logger = logging.getLogger(__name__)

LOCK_KEY = "lock:mis-sync"
LAST_SYNC_KEY = "mis-sync:last"


@dataclass
class MisSyncReport:
    catalog: CatalogSyncResult
    schedule: ScheduleSyncResult
    seconds: float

    @property
    def written(self) -> int:
        return self.catalog.written + self.schedule.written

    def as_dict(self) -> dict[str, object]:
        return {
            "written": self.written,
            "catalog": {name: vars(c) for name, c in self.catalog.counts.items()},
            "schedule": {
                "created": self.schedule.created,
                "deleted": self.schedule.deleted,
                "changed_doctor_days": len(self.schedule.changed_doctor_days),
            },
            "seconds": round(self.seconds, 3),
        }


class SyncAlreadyRunning(Exception):
    """Another process holds the sync lock; this run is skipped."""


def run_mis_sync(*, adapter: MisAdapter | None = None, days: int | None = None) -> MisSyncReport:
    """Sync the catalog and `days` of schedule from today (MIS time); one run at a time."""
    adapter = adapter or get_mis_adapter()
    days = days or settings.MIS_SYNC_DAYS
    if not cache.add(LOCK_KEY, "1", timeout=settings.CELERY_TASK_TIME_LIMIT):
        raise SyncAlreadyRunning
    try:
        began = time.monotonic()
        catalog = sync_catalog(adapter=adapter)
        today = datetime.now(ZoneInfo(adapter.time_zone)).date()
        schedule = sync_schedule(adapter=adapter, start=today, days=days)
        report = MisSyncReport(catalog, schedule, time.monotonic() - began)
    finally:
        cache.delete(LOCK_KEY)
    cache.set(LAST_SYNC_KEY, {"at": time.time(), **report.as_dict()}, timeout=None)
    logger.info("MIS sync (%s): %s", adapter.name, report.as_dict())
    return report
