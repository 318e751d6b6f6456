"""Celery tasks that send SMS (routed to queue "sms" in settings)."""

from __future__ import annotations

from django.conf import settings

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from integrations.ports import SmsUnavailable
from integrations.sms import delivery

# Seconds: 5, 10, 20, ... up to 5 minutes between attempts, with full jitter.
BACKOFF_FACTOR = 5
BACKOFF_MAX = 300


def retry_delay(retries: int) -> int:
    return get_exponential_backoff_interval(
        factor=BACKOFF_FACTOR, retries=retries, maximum=BACKOFF_MAX, full_jitter=True
    )


@shared_task(
    bind=True,
    name="integrations.sms.tasks.send_sms",
    acks_late=True,
    max_retries=None,  # counted against settings.SMS_MAX_ATTEMPTS below
    soft_time_limit=30,
    time_limit=45,
)
def send_sms_delivery(self, delivery_id: int) -> str:
    """Send one SmsDelivery; running it again for the same row sends nothing."""
    try:
        outcome = delivery.attempt_delivery(delivery_id=delivery_id)
    except SmsUnavailable as error:
        if self.request.retries + 1 >= settings.SMS_MAX_ATTEMPTS:
            delivery.give_up(delivery_id=delivery_id, error=error)
            return delivery.Attempt.FAILED.value
        raise self.retry(exc=error, countdown=retry_delay(self.request.retries)) from None
    if outcome is delivery.Attempt.BUSY:
        # Another worker holds it: look again once its lease may have run out.
        raise self.retry(countdown=delivery.SENDING_LEASE.total_seconds())
    return outcome.value


@shared_task(name="integrations.sms.tasks.resend_stale_sms", acks_late=True)
def resend_stale_sms() -> int:
    """Enqueue again what the broker lost or a dead worker left behind."""
    stale = delivery.stale_deliveries()
    for delivery_id in stale:
        send_sms_delivery.delay(delivery_id)
    return len(stale)
