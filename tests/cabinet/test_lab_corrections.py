"""A lab's correction of a report already stored replaces it; nothing older or equal does."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

import pytest

from cabinet.audit.models import AuditRecord
from cabinet.records.models import LabReport, LabResult
from cabinet.records.services import save_lab_report
from integrations.ports import LabReport as Report
from integrations.ports import Observation
from tests.cabinet.conftest import make_record_patient

pytestmark = pytest.mark.django_db


def glucose(value: str) -> Observation:
    return Observation(
        code="2345-7",
        name="Глюкоза",
        value=value,
        unit="ммоль/л",
        numeric=Decimal(value),
        ref_low=Decimal("3.9"),
        ref_high=Decimal("5.5"),
    )


def test_a_correction_replaces_the_values_and_is_audited():
    patient = make_record_patient("pt-synthetic-77", username="corr")
    issued = timezone.now() - timedelta(days=1)
    first = Report(
        external_id="lr-77",
        patient_id="pt-synthetic-77",
        title="Глюкоза крови",
        collected_at=issued - timedelta(hours=3),
        issued_at=issued,
        observations=(glucose("7.1"),),
        status="preliminary",
    )
    row, created = save_lab_report(patient=patient, report=first)
    assert created and row.results.get().flag == "high"

    final = replace(first, status="final", observations=(glucose("5.0"),))
    assert save_lab_report(patient=patient, report=final) == (row, False)
    result = LabResult.objects.get(report=row)
    assert (result.numeric, result.flag) == (Decimal("5.0"), "normal")
    assert LabReport.objects.get(pk=row.pk).status == "final"

    corrected = replace(
        final,
        status="corrected",
        issued_at=issued + timedelta(hours=2),
        observations=(glucose("5.8"), glucose("5.9")),
    )
    save_lab_report(patient=patient, report=corrected)
    assert [r.value for r in LabResult.objects.filter(report=row)] == ["5.8", "5.9"]
    updates = AuditRecord.objects.filter(object_id=str(row.pk), action="update")
    assert updates.count() == 2

    # The same again, or an older issue arriving late, changes nothing.
    save_lab_report(patient=patient, report=corrected)
    save_lab_report(patient=patient, report=final)
    assert [r.value for r in LabResult.objects.filter(report=row)] == ["5.8", "5.9"]
    assert LabReport.objects.get(pk=row.pk).status == "corrected"
    assert updates.count() == 2
    assert LabReport.objects.filter(patient=patient).count() == 1
