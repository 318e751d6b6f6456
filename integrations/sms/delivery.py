"""Delivering SMS: the one attempt a task makes, giving up, delivery reports, stale rows.

Workers run these (integrations.sms.tasks); nothing here enqueues anything.
"""

from __future__ import annotations

import enum
import logging
from datetime import timedelta

from django.db.models import F, Q
from django.utils import timezone

from integrations.ports import (
    SmsDuplicate,
    SmsError,
    SmsGateway,
    SmsMessage,
    SmsStatus,
    SmsUnavailable,
)
from integrations.sms import get_sms_gateway
from integrations.sms.models import SmsDelivery

logger = logging.getLogger(__name__)

Status = SmsDelivery.Status
# How long a worker may hold a message in "sending" before another may take
# it over; longer than the task's hard time limit, so a live attempt is never
# doubled, while one whose worker died is sent again.
SENDING_LEASE = timedelta(seconds=90)
# A report only moves a message forward: a late "sent" never undoes "delivered".
PROGRESS = {
    Status.QUEUED: 0,
    Status.SENDING: 1,
    Status.SENT: 2,
    Status.DELIVERED: 3,
    Status.FAILED: 3,
}


class Attempt(enum.Enum):
    SENT = "sent"
    FAILED = "failed"
    ALREADY_DONE = "already done"  # sent, delivered or failed before: nothing to do
    BUSY = "busy"  # another worker is sending it right now
    MISSING = "missing"


def attempt_delivery(*, delivery_id: int, gateway: SmsGateway | None = None) -> Attempt:
    """Hand one queued message to the gateway, at most once at a time.

    The row is claimed with one conditional UPDATE (queued -> sending), so two
    workers running the same task never both send it. Raises SmsUnavailable
    after putting the row back to queued: the caller retries later.
    """
    gateway = gateway or get_sms_gateway()  # a configuration error fails before the claim
    now = timezone.now()
    claimed = (
        SmsDelivery.objects.filter(pk=delivery_id)
        .filter(
            Q(status=Status.QUEUED)
            | Q(status=Status.SENDING, sending_since__lt=now - SENDING_LEASE)
        )
        .update(
            status=Status.SENDING, sending_since=now, attempts=F("attempts") + 1, updated_at=now
        )
    )
    if not claimed:
        status = SmsDelivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first()
        if status is None:
            return Attempt.MISSING
        return Attempt.BUSY if status == Status.SENDING else Attempt.ALREADY_DONE

    delivery = SmsDelivery.objects.get(pk=delivery_id)
    message = SmsMessage(to=delivery.phone, text=delivery.text, client_id=str(delivery.client_id))
    mine = SmsDelivery.objects.filter(pk=delivery_id, status=Status.SENDING)
    try:
        receipt = gateway.send(message)
    except SmsDuplicate as error:
        if delivery.attempts > 1:
            # An earlier attempt timed out after the gateway had taken it.
            logger.warning("SMS %s: duplicate after a failed attempt, taken as sent", delivery_id)
            mine.update(
                status=Status.SENT,
                gateway=gateway.name,
                sent_at=timezone.now(),
                last_error=_error_text(error),
                updated_at=timezone.now(),
            )
            return Attempt.SENT
        _fail(mine, error)
        return Attempt.FAILED
    except SmsUnavailable as error:
        mine.update(
            status=Status.QUEUED,
            sending_since=None,
            last_error=_error_text(error),
            updated_at=timezone.now(),
        )
        raise
    except SmsError as error:
        _fail(mine, error)
        return Attempt.FAILED
    mine.update(
        status=Status.SENT,
        gateway=receipt.gateway,
        gateway_message_id=receipt.message_id,
        sent_at=timezone.now(),
        last_error="",
        updated_at=timezone.now(),
    )
    return Attempt.SENT


def give_up(*, delivery_id: int, error: Exception) -> None:
    """The gateway stayed unreachable through every attempt: the message failed."""
    _fail(SmsDelivery.objects.filter(pk=delivery_id, status=Status.QUEUED), error)


def _fail(rows, error: Exception) -> None:
    now = timezone.now()
    rows.update(
        status=Status.FAILED, last_error=_error_text(error), finished_at=now, updated_at=now
    )


def _error_text(error: Exception) -> str:
    code = getattr(error, "code", "")
    text = f"[{code}] {error}" if code else str(error)
    return text[:300]


def apply_status_report(*, report: SmsStatus) -> bool:
    """Move the message the report is about forward; False when no message
    of ours has that gateway id (yet: the gateway will repeat the callback)."""
    delivery = SmsDelivery.objects.filter(
        gateway=report.gateway, gateway_message_id=report.message_id
    ).first()
    if delivery is None:
        return False
    new = Status(report.status)
    behind = [status for status, rank in PROGRESS.items() if rank < PROGRESS[new]]
    now = timezone.now()
    changes: dict[str, object] = {"status": new, "updated_at": now}
    if new in (Status.DELIVERED, Status.FAILED):
        changes["finished_at"] = now
    if new == Status.FAILED:
        changes["last_error"] = f"{report.gateway}: {report.detail}"[:300]
    # One conditional UPDATE: a repeated or out-of-order report changes nothing.
    SmsDelivery.objects.filter(pk=delivery.pk, status__in=behind).update(**changes)
    return True


def stale_deliveries(*, older_than: timedelta = timedelta(minutes=5)) -> list[int]:
    """Messages still queued long after they were written (the broker was down
    at commit) or left in "sending" by a worker that died."""
    cutoff = timezone.now() - older_than
    return list(
        SmsDelivery.objects.filter(
            Q(status=Status.QUEUED, updated_at__lt=cutoff)
            | Q(status=Status.SENDING, sending_since__lt=timezone.now() - SENDING_LEASE)
        ).values_list("pk", flat=True)[:500]
    )
