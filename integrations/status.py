"""What the integrations status page shows: per external system, how it is doing."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from integrations.circuit import CircuitBreaker, call_stats
from integrations.lis.models import InboundLabEvent, LabPollCursor
from integrations.mis.sync import LAST_SYNC_KEY
from integrations.models import OutboxMessage
from integrations.sms.models import SmsDelivery


@dataclass(frozen=True)
class SystemStatus:
    system: str
    kind: str  # "MIS", "SMS" or "LIS"
    last_success: str  # ISO time or ""
    lag_seconds: int | None
    calls: int
    failed: int
    queue_depth: int
    failed_messages: int
    circuit: str

    @property
    def error_rate(self) -> float | None:
        return round(self.failed / self.calls, 3) if self.calls else None


def mis_status() -> SystemStatus:
    system = f"mis-{settings.MIS_ADAPTER}"
    last = cache.get(LAST_SYNC_KEY) or {}
    calls, failed = call_stats(system)
    outbox = dict(
        OutboxMessage.objects.filter(topic__startswith="mis.")
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    at = last.get("at")
    return SystemStatus(
        system=settings.MIS_ADAPTER,
        kind="MIS",
        last_success=datetime.fromtimestamp(at, tz=UTC).isoformat() if at else "",
        lag_seconds=int(time.time() - at) if at else None,
        calls=calls,
        failed=failed,
        queue_depth=outbox.get(OutboxMessage.Status.PENDING, 0),
        failed_messages=outbox.get(OutboxMessage.Status.FAILED, 0),
        circuit=CircuitBreaker.for_system(system).state,
    )


def sms_status() -> SystemStatus:
    since = timezone.now() - timedelta(hours=24)
    recent = SmsDelivery.objects.filter(created_at__gte=since)
    counts = dict(recent.values_list("status").annotate(n=Count("pk")))
    last = (
        SmsDelivery.objects.filter(status__in=("sent", "delivered"))
        .order_by("-updated_at")
        .values_list("updated_at", flat=True)
        .first()
    )
    total = sum(counts.values())
    waiting = SmsDelivery.objects.filter(status__in=("queued", "sending")).count()
    return SystemStatus(
        system=settings.SMS_GATEWAY,
        kind="SMS",
        last_success=last.isoformat() if last else "",
        lag_seconds=int((timezone.now() - last).total_seconds()) if last else None,
        calls=total,
        failed=counts.get("failed", 0),
        queue_depth=waiting,
        failed_messages=counts.get("failed", 0),
        circuit="—",
    )


def lis_status() -> SystemStatus:
    """Lab results: events of the last 24 hours, what waits or failed, the poll lag."""
    now = timezone.now()
    events = InboundLabEvent.objects.all()
    counts = dict(
        events.filter(received_at__gte=now - timedelta(hours=24))
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    last = (
        events.filter(status=InboundLabEvent.Status.PROCESSED)
        .order_by("-processed_at")
        .values_list("processed_at", flat=True)
        .first()
    )
    polled = sorted(settings.LIS_POLL_SOURCES)
    successes = dict(
        LabPollCursor.objects.filter(lab__in=polled).values_list("lab", "last_success_at")
    )
    times = [successes.get(lab) for lab in polled]
    # The lag is the age of the oldest lab's last good poll; none until every lab had one.
    lag = int((now - min(times)).total_seconds()) if polled and all(times) else None
    labs = sorted({*settings.LIS_WEBHOOK_SECRETS, *polled})
    return SystemStatus(
        system=", ".join(labs) or "—",
        kind="LIS",
        last_success=last.isoformat() if last else "",
        lag_seconds=lag,
        calls=sum(counts.values()),
        failed=counts.get(InboundLabEvent.Status.FAILED, 0),
        queue_depth=events.filter(status=InboundLabEvent.Status.RECEIVED).count(),
        failed_messages=events.filter(status=InboundLabEvent.Status.FAILED).count(),
        circuit="—",
    )


def system_statuses() -> list[SystemStatus]:
    return [mis_status(), sms_status(), lis_status()]
