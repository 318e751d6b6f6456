"""One MIS sync: the MIS's directory, then its schedule, into the parts that keep them.

This module knows none of those parts: each registers itself in its
AppConfig.ready() (the catalog the directory, booking the schedule), the way
the outbox's handlers do, so the integration layer never imports a higher one.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache

from integrations.mis import get_mis_adapter
from integrations.ports import MisAdapter

logger = logging.getLogger(__name__)

LOCK_KEY = "lock:mis-sync"
LAST_SYNC_KEY = "mis-sync:last"


class Stage(enum.IntEnum):
    """When a part syncs, and what it is given.

    DIRECTORY parts (branches, doctors, services: what a schedule refers to)
    run first and get `adapter=`; SCHEDULE parts then get `adapter=`,
    `start=` (today on the MIS's clock) and `days=`.
    """

    DIRECTORY = 1
    SCHEDULE = 2


class PartResult(Protocol):
    """What a part reports: how many rows it wrote, and a summary for the log."""

    @property
    def written(self) -> int: ...

    def as_dict(self) -> dict[str, object]: ...


@dataclass(frozen=True)
class _Part:
    stage: Stage
    sync: Callable[..., PartResult]


_parts: dict[str, _Part] = {}


def register(name: str, sync: Callable[..., PartResult], *, stage: Stage) -> None:
    """Have `sync` run in every MIS sync at its stage; its result is the report's `name`."""
    _parts[name] = _Part(stage, sync)


@dataclass
class MisSyncReport:
    parts: dict[str, PartResult]
    seconds: float

    def __getitem__(self, name: str) -> PartResult:
        return self.parts[name]

    @property
    def written(self) -> int:
        return sum(part.written for part in self.parts.values())

    def as_dict(self) -> dict[str, object]:
        summary = {name: part.as_dict() for name, part in self.parts.items()}
        return {"written": self.written, **summary, "seconds": round(self.seconds, 3)}


class SyncAlreadyRunning(Exception):
    """Another process holds the sync lock; this run is skipped."""


def run_mis_sync(*, adapter: MisAdapter | None = None, days: int | None = None) -> MisSyncReport:
    """Sync the directory and `days` of schedule from today (MIS time); one run at a time."""
    adapter = adapter or get_mis_adapter()
    days = days or settings.MIS_SYNC_DAYS
    if not cache.add(LOCK_KEY, "1", timeout=settings.CELERY_TASK_TIME_LIMIT):
        raise SyncAlreadyRunning
    try:
        began = time.monotonic()
        results: dict[str, PartResult] = {}
        for name, part in sorted(_parts.items(), key=lambda item: item[1].stage):
            if part.stage is Stage.DIRECTORY:
                results[name] = part.sync(adapter=adapter)
            else:
                today = datetime.now(ZoneInfo(adapter.time_zone)).date()
                results[name] = part.sync(adapter=adapter, start=today, days=days)
        report = MisSyncReport(results, time.monotonic() - began)
    finally:
        cache.delete(LOCK_KEY)
    cache.set(LAST_SYNC_KEY, {"at": time.time(), **report.as_dict()}, timeout=None)
    logger.info("MIS sync (%s): %s", adapter.name, report.as_dict())
    return report
