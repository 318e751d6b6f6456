"""Celery task of the cabinet's records: the background import from the MIS."""

from celery import shared_task

from cabinet.records.history import fail_import, run_import
from integrations.ports import MisUnavailable

MAX_RETRIES = 5


@shared_task(
    name="cabinet.records.tasks.import_patient_record",
    bind=True,
    acks_late=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=540,
    time_limit=600,
)
def import_patient_record(self, import_id: int) -> dict[str, object]:
    """Load one patient's history (idempotent: what is stored already is skipped).

    A MIS that is down is retried with backoff; after the last attempt the
    import is marked failed, so the page stops waiting and says so."""
    try:
        done = run_import(import_id)
    except MisUnavailable as error:
        if self.request.retries >= self.max_retries:
            done = fail_import(import_id, error="The MIS is unavailable.")
        else:
            raise self.retry(exc=error, countdown=min(300, 10 * 2**self.request.retries)) from error
    return {"status": done.status, "done": done.done, "total": done.total, "created": done.created}
