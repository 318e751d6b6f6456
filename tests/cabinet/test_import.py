"""Importing a patient's history from the MIS: idempotent, in batches, with progress."""

from decimal import Decimal

from django.db import connection
from django.utils import timezone

import pytest

from cabinet.audit.models import AuditRecord
from cabinet.records.importer import import_if_stale, start_import
from cabinet.records.models import (
    Diagnosis,
    Document,
    LabReport,
    LabResult,
    Prescription,
    RecordImport,
    Visit,
)
from tests.cabinet.conftest import import_history, open_cabinet
from tests.polling import wait_for

MODELS = (Visit, Diagnosis, Prescription, LabReport, LabResult, Document)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.mark.django_db
def test_import_twice_changes_nothing(demo_patient):
    first = _counts()
    assert first["Visit"] == 8 and first["Prescription"] == 7 and first["Document"] == 3
    assert 6 <= first["LabReport"] <= 10
    audit = AuditRecord.objects.filter(action="create").count()
    assert audit == first["Visit"] + first["Prescription"] + first["LabReport"] + 3

    again = import_history(demo_patient)

    assert _counts() == first
    assert AuditRecord.objects.filter(action="create").count() == audit
    assert (again.status, again.done, again.total, again.created, again.percent) == (
        "done",
        again.total,
        first["Visit"] + first["Prescription"] + first["LabReport"] + first["Document"],
        0,
        100,
    )


@pytest.mark.django_db
def test_imported_values_are_flagged(demo_patient):
    tsh = LabResult.objects.filter(report__patient=demo_patient, code="3016-3")
    assert sorted(r.flag for r in tsh) == ["high", "high", "normal"]
    # The lab sent no glucose range: the clinic's adult range (3.9-5.5) decides.
    glucose_high = LabResult.objects.get(report__external_id="lr-pt-demo-0001-06", code="2345-7")
    assert (glucose_high.numeric, glucose_high.flag) == (Decimal("6.2"), "high")
    vitamin_d = LabResult.objects.get(code="1989-3")
    assert vitamin_d.flag == "critical"
    hemoglobin = LabResult.objects.filter(code="718-7", report__patient=demo_patient)
    assert {r.flag for r in hemoglobin} == {"normal", "low"}


@pytest.mark.django_db
def test_stale_history_starts_an_import_fresh_does_not(demo_patient, settings):
    settings.CLINIC_RECORDS_REFRESH_MINUTES = 30
    assert import_if_stale(demo_patient) is None  # just imported
    RecordImport.objects.update(finished_at=timezone.now() - timezone.timedelta(minutes=31))
    started = import_if_stale(demo_patient)
    assert started is not None and started.status == "pending"
    # While it waits for a worker, pages follow the same import.
    assert import_if_stale(demo_patient).pk == started.pk
    assert start_import(demo_patient).pk == started.pk


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_imports_in_the_background_and_progress_reaches_100(celery_worker, client):
    from cabinet.accounts.models import Patient, User
    from cabinet.demo import ensure_demo_users

    ensure_demo_users()
    patient = Patient.objects.get(mis_id="pt-demo-0001")
    log = celery_worker("mis")
    open_cabinet(client, User.objects.get(username="patient"))

    page = client.get("/cabinet/")  # the home page starts the import and returns at once
    assert page.status_code == 200
    record_import = RecordImport.objects.get(patient=patient)
    assert b'hx-trigger="every 2s"' in page.content

    def finished():
        record_import.refresh_from_db()
        return record_import.status in {"done", "failed"}

    wait_for(finished, seconds=60, what="the import to finish", log=log, every=0.2)
    response = client.get(f"/cabinet/import/{record_import.pk}/")
    assert record_import.status == "done", log.read_text()[-3000:]
    assert record_import.percent == 100 and record_import.done == record_import.total > 20
    assert b'data-percent="100"' in response.content
    assert b"hx-trigger" not in response.content  # polling stops
    assert Visit.objects.filter(patient=patient).count() == 8
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM records_labreport WHERE patient_id = %s", [patient.pk])
        assert cursor.fetchone()[0] == LabReport.objects.filter(patient=patient).count() >= 6


@pytest.mark.django_db
def test_an_unavailable_mis_fails_the_import_visibly_after_the_retries(patient_a, settings):
    from cabinet.records.tasks import import_patient_record

    settings.MIS_DEMO_OUTAGE = True
    settings.CIRCUIT_FAILURES = 100
    record_import = RecordImport.objects.create(patient=patient_a)
    # apply() runs the task here, retries included (without their countdown).
    result = import_patient_record.apply(args=[record_import.pk])
    record_import.refresh_from_db()
    assert result.result["status"] == "failed"
    assert record_import.status == "failed" and "unavailable" in record_import.error
    assert not record_import.active
    assert Visit.objects.count() == 0
