"""Loading a patient's history from the MIS into the cabinet: the body of the
background import (cabinet.records.tasks), in batches with progress."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cabinet.records import services
from cabinet.records.models import RecordImport
from integrations.mis import get_mis_adapter
from integrations.ports import MisUnavailable, PatientRecordSource

logger = logging.getLogger(__name__)

BATCH_SIZE = 10


def record_source() -> PatientRecordSource | None:
    """The configured MIS, when it gives out patient records."""
    adapter = get_mis_adapter()
    inner = getattr(adapter, "unwrapped", adapter)
    return adapter if isinstance(inner, PatientRecordSource) else None  # type: ignore[return-value]


def run_import(import_id: int) -> RecordImport:
    """Fetch the history and store it in batches, updating progress (the task's body)."""
    record_import = RecordImport.objects.select_related("patient").get(pk=import_id)
    if record_import.status == RecordImport.Status.DONE:
        return record_import
    patient = record_import.patient
    source = record_source()
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
