"""Celery tasks of the integration layer (queue per external system)."""

from django.utils import timezone

from celery import shared_task

from integrations import outbox
from integrations.mis_sync import SyncAlreadyRunning, run_mis_sync
from integrations.ports import MisUnavailable


@shared_task(
    name="integrations.tasks.sync_mis",
    acks_late=True,
    autoretry_for=(MisUnavailable,),
    retry_backoff=True,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=3,
    soft_time_limit=240,
    time_limit=300,
)
def sync_mis() -> dict[str, object]:
    """Pull the MIS directory and schedule; writes only what changed."""
    try:
        return run_mis_sync().as_dict()
    except SyncAlreadyRunning:
        return {"skipped": "another sync is running"}


@shared_task(
    name="integrations.tasks.deliver_outbox_message",
    acks_late=True,
    soft_time_limit=60,
    time_limit=90,
    bind=True,
    max_retries=None,
)
def deliver_outbox_message(self, message_id: int) -> str:
    """Deliver one outbox message; a transient failure comes back after its backoff."""
    from integrations.models import OutboxMessage

    due = OutboxMessage.objects.filter(pk=message_id).values_list("next_attempt_at", flat=True)
    not_before = due.first()
    if not_before is not None and not_before > timezone.now():
        # Handed over right after a failed try: wait for its backoff.
        raise self.retry(eta=not_before)
    status = outbox.deliver(message_id)
    if status == OutboxMessage.Status.PENDING:
        message = OutboxMessage.objects.get(pk=message_id)
        raise self.retry(eta=message.next_attempt_at)
    return status


@shared_task(name="integrations.tasks.deliver_due_outbox", acks_late=True)
def deliver_due_outbox() -> int:
    """Safety net run by beat: deliver what is due (its task may have been lost)."""
    due = outbox.due_messages()
    for message_id in due:
        outbox.deliver(message_id)
    return len(due)


# SMS and LIS tasks live with their layers; importing them here registers them.
from integrations.lis.tasks import (  # noqa: E402
    poll_lab,
    process_lab_event,
    process_stale_lab_events,
)
from integrations.sms.tasks import resend_stale_sms, send_sms_delivery  # noqa: E402

__all__ = [
    "poll_lab",
    "process_lab_event",
    "process_stale_lab_events",
    "resend_stale_sms",
    "send_sms_delivery",
    "sync_mis",
]
