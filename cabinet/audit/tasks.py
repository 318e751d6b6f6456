"""Celery task of the audit log: the anomaly detectors, run by beat every few minutes."""

from django.utils import timezone

from celery import shared_task

from cabinet.audit.alerts import run_detectors


@shared_task(
    name="cabinet.audit.tasks.detect_anomalies", acks_late=True, soft_time_limit=110, time_limit=120
)
def detect_anomalies() -> int:
    """Raise the alerts of the recent window; returns how many are new. Idempotent."""
    return len(run_detectors(now=timezone.now()))
