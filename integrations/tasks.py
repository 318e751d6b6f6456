"""Celery tasks of the integration layer (queue per external system)."""

from celery import shared_task

from integrations.mis_sync import SyncAlreadyRunning, run_mis_sync
from integrations.ports import MisUnavailable


@shared_task(
    name="integrations.tasks.sync_mis",
    queue="mis",
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


# SMS tasks live with the SMS layer; importing them here registers them.
from integrations.sms.tasks import resend_stale_sms, send_sms_delivery  # noqa: E402

__all__ = ["resend_stale_sms", "send_sms_delivery", "sync_mis"]
