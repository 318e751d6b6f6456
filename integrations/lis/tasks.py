"""Celery tasks of the LIS path (queue "lis"): process an event, poll a lab, sweep."""

from __future__ import annotations

from django.db import DatabaseError

from celery import shared_task

from integrations.lis import services


@shared_task(
    name="integrations.lis.tasks.process_lab_event",
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=8,
    soft_time_limit=60,
    time_limit=90,
)
def process_lab_event(event_id: int) -> str:
    return services.process_event(event_id=event_id)


@shared_task(
    name="integrations.lis.tasks.poll_lab",
    bind=True,
    acks_late=True,
    max_retries=3,
    soft_time_limit=240,
    time_limit=300,
)
def poll_lab(self, lab: str) -> dict[str, object]:
    """One poll of a lab without webhooks. An outage is retried a few times with
    backoff; after that the next beat tries again (the cursor has not moved)."""
    outcome = services.poll_lab(lab=lab)
    if outcome.unavailable and self.request.retries < self.max_retries:
        raise self.retry(countdown=services.poll_retry_delay(self.request.retries))
    return outcome.as_dict()


@shared_task(name="integrations.lis.tasks.process_stale_lab_events", acks_late=True)
def process_stale_lab_events() -> int:
    """Safety net run by beat: webhook events whose task was lost."""
    stale = services.stale_events()
    for event_id in stale:
        services.process_event(event_id=event_id)
    return len(stale)
