"""Celery tasks of the outbox (queue "mis"): deliver one message, and the sweeper beat runs."""

from django.utils import timezone

from celery import shared_task

from integrations import outbox
from integrations.models import OutboxMessage


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
