"""Celery task of the MIS sync (queue "mis"), run by beat every MIS_SYNC_INTERVAL seconds."""

from celery import shared_task

from integrations.mis.sync import SyncAlreadyRunning, run_mis_sync
from integrations.ports import MisUnavailable


@shared_task(
    name="integrations.mis.tasks.sync_mis",
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
