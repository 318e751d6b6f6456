"""Celery task of the cabinet's records: the background import from the MIS."""

from celery import shared_task

from integrations.ports import MisUnavailable


@shared_task(
    name="cabinet.records.tasks.import_patient_record",
    acks_late=True,
    autoretry_for=(MisUnavailable,),
    retry_backoff=True,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=540,
    time_limit=600,
)
def import_patient_record(import_id: int) -> dict[str, object]:
    """Load one patient's history (idempotent: what is stored already is skipped)."""
    from cabinet.records.importer import run_import

    done = run_import(import_id)
    return {"status": done.status, "done": done.done, "total": done.total, "created": done.created}
