"""Celery tasks of booking."""

from celery import shared_task

from booking.notifications import send_due_reminders
from booking.services import expire_holds as expire_stale_holds


@shared_task(name="booking.tasks.expire_holds", acks_late=True, soft_time_limit=50, time_limit=60)
def expire_holds() -> int:
    """Free the slots of holds nobody confirmed in time."""
    return expire_stale_holds()


@shared_task(
    name="booking.tasks.send_reminders", acks_late=True, soft_time_limit=220, time_limit=240
)
def send_reminders() -> int:
    """Send the reminders that are due (24 h and 2 h before visits), each once."""

    return send_due_reminders()
