"""Starting the background load of a patient's history from the MIS: one
import at a time per patient, refreshed after CLINIC_RECORDS_REFRESH_MINUTES.
The load itself is cabinet.records.history, run by cabinet.records.tasks."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cabinet.accounts.models import Patient
from cabinet.records.history import record_source
from cabinet.records.models import RecordImport
from cabinet.records.tasks import import_patient_record

# An import still "running" after this long died with its worker: start anew.
STALE_RUNNING = timedelta(minutes=15)


def start_import(patient: Patient) -> RecordImport:
    """The running import of this patient, or a new one queued for a worker."""
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
    if record_source() is None:
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
