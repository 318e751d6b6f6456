"""Loading a patient's history from the MIS in the background, with progress."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cabinet.accounts.models import Patient
from cabinet.records import services
from cabinet.records.models import RecordImport
from integrations.mis import get_mis_adapter
from integrations.ports import MisUnavailable, PatientRecordSource

logger = logging.getLogger(__name__)

BATCH_SIZE = 10
# An import still "running" after this long died with its worker: start anew.
STALE_RUNNING = timedelta(minutes=15)


def _record_source() -> PatientRecordSource | None:
    adapter = get_mis_adapter()
    inner = getattr(adapter, "unwrapped", adapter)
    return adapter if isinstance(inner, PatientRecordSource) else None  # type: ignore[return-value]


def start_import(patient: Patient) -> RecordImport:
    """The running import of this patient, or a new one queued for a worker."""
    from cabinet.records.tasks import import_patient_record

    with transaction.atomic():
        Patient.objects.select_for_update().filter(pk=patient.pk).first()  # one starter at a time
        running = (
            RecordImport.objects.filter(
                patient=patient,
                status__in=[RecordImport.Status.PENDING, RecordImport.Status.RUNNING],
                created_at__gte=timezone.now() - STALE_RUNNING,
            )
            .order_by("-created_at")
            .first()
        )
        if running is not None:
            return running
        record_import = RecordImport.objects.create(patient=patient)
        transaction.on_commit(lambda: import_patient_record.delay(record_import.pk))
    return record_import


def import_if_stale(patient: Patient) -> RecordImport | None:
    """Start an import when the last finished one is older than the refresh period.

    Returns the import the page should follow (running or just started)."""
    if _record_source() is None:
        return None
    latest = RecordImport.objects.filter(patient=patient).order_by("-created_at").first()
    fresh_after = timezone.now() - timedelta(minutes=settings.CLINIC_RECORDS_REFRESH_MINUTES)
    if latest is not None and latest.active and latest.created_at >= timezone.now() - STALE_RUNNING:
        return latest
    # A finished import (done, or failed: do not hammer a failing MIS from
    # every page view) is good for the refresh period.
    if latest is not None and latest.finished_at and latest.finished_at >= fresh_after:
        return None
    return start_import(patient)


def run_import(import_id: int) -> RecordImport:
    """Fetch the history and store it in batches, updating progress (the task's body)."""
    record_import = RecordImport.objects.select_related("patient").get(pk=import_id)
    if record_import.status == RecordImport.Status.DONE:
        return record_import
    patient = record_import.patient
    source = _record_source()
    if source is None:
        return _finish(record_import, error="The configured MIS does not give out patient records.")
    RecordImport.objects.filter(pk=import_id).update(status=RecordImport.Status.RUNNING, done=0)
    try:
        record = source.patient_record(patient_id=patient.mis_id)
    except MisUnavailable:
        raise  # the task retries with backoff
    except Exception as error:  # noqa: BLE001 (any other answer fails the import, visibly)
        logger.exception("record import %s failed", import_id)
        return _finish(record_import, error=type(error).__name__)

    # Visits first: prescriptions point at them.
    steps = [
        *((services.save_visit, "visit", v) for v in record.visits),
        *((services.save_prescription, "prescription", p) for p in record.prescriptions),
        *((services.save_lab_report, "report", r) for r in record.lab_reports),
        *((services.save_document, "document", d) for d in record.documents),
    ]
    RecordImport.objects.filter(pk=import_id).update(total=len(steps))
    for start in range(0, len(steps), BATCH_SIZE):
        batch = steps[start : start + BATCH_SIZE]
        created = 0
        with transaction.atomic():
            for save, argument, item in batch:
                _row, was_created = save(patient=patient, **{argument: item})
                created += was_created
            RecordImport.objects.filter(pk=import_id).update(
                done=F("done") + len(batch), created=F("created") + created
            )
    return _finish(record_import)


def fail_import(import_id: int, *, error: str) -> RecordImport:
    return _finish(RecordImport.objects.get(pk=import_id), error=error)


def _finish(record_import: RecordImport, *, error: str = "") -> RecordImport:
    RecordImport.objects.filter(pk=record_import.pk).update(
        status=RecordImport.Status.FAILED if error else RecordImport.Status.DONE,
        error=error,
        finished_at=timezone.now(),
    )
    record_import.refresh_from_db()
    return record_import
