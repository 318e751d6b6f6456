"""Writing the patient's records: from the ports' dataclasses into encrypted rows.

Each save is idempotent per (patient, external id): a second import of the
same item changes nothing (a lab report that supersedes the stored one, a
correction, replaces it). Every row created writes a "create" audit record.
A LIS webhook stores its reports with `save_lab_report` too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from cabinet.accounts.models import Patient
from cabinet.audit.models import AuditRecord
from cabinet.audit.services import SYSTEM, Actor, write_audit
from cabinet.records import interpretation
from cabinet.records.models import (
    Diagnosis,
    Document,
    LabReport,
    LabResult,
    Prescription,
    ReferenceRange,
    Referral,
    Visit,
)
from integrations import ports

CREATE = AuditRecord.Action.CREATE


def reference_bands(codes: Iterable[str]) -> dict[str, list[interpretation.Band]]:
    bands: dict[str, list[interpretation.Band]] = defaultdict(list)
    for row in ReferenceRange.objects.filter(code__in=set(codes)):
        bands[row.code].append(
            interpretation.Band(
                sex=row.sex,
                age_from=row.age_from,
                age_to=row.age_to,
                low=row.low,
                high=row.high,
                critical_low=row.critical_low,
                critical_high=row.critical_high,
            )
        )
    return bands


def limits_of(result: LabResult, *, patient: Patient, bands) -> interpretation.Limits:
    collected = timezone.localdate(result.report.collected_at)
    return interpretation.limits_for(
        lab_low=result.ref_low,
        lab_high=result.ref_high,
        bands=bands.get(result.code, ()),
        sex=patient.sex,
        age=interpretation.age_on(patient.birth_date, collected),
    )


# A report moves on from preliminary to final to corrected, never back.
_STAGE = {"preliminary": 0, "final": 1, "corrected": 2}


def supersedes(incoming: ports.LabReport, stored: LabReport) -> bool:
    """Does `incoming` replace the stored report of the same id? A later issue
    does, and so does the same issue at a later stage (a final after a
    preliminary, a correction); an older or identical one does not."""
    if incoming.issued_at != stored.issued_at:
        return incoming.issued_at > stored.issued_at
    return _STAGE.get(incoming.status, 1) > _STAGE.get(stored.status, 1)


@transaction.atomic
def save_lab_report(
    *, patient: Patient, report: ports.LabReport, source: str = "mis", actor: Actor = SYSTEM
) -> tuple[LabReport, bool]:
    """Store a lab report with its analytes and flags; (row, created).

    A report already stored under the same id is replaced, analytes and all,
    when the new one supersedes it (a correction from the lab); an "update"
    audit record says so. Anything else leaves the stored one as it is.
    """
    fields = {
        "source": source,
        "title": report.title,
        "lab_test_external_id": report.lab_test_id,
        "collected_at": report.collected_at,
        "issued_at": report.issued_at,
        "status": report.status,
        "conclusion": report.conclusion,
    }
    existing = (
        LabReport.objects.select_for_update()
        .filter(patient=patient, external_id=report.external_id)
        .first()
    )
    if existing is not None:
        if not supersedes(report, existing):
            return existing, False
        for name, value in fields.items():
            setattr(existing, name, value)
        existing.save()
        existing.results.all().delete()
        _save_results(existing, report, patient)
        write_audit(
            actor=actor,
            patient=patient,
            object_type="lab_report",
            object_id=existing.pk,
            action=AuditRecord.Action.UPDATE,
        )
        return existing, False
    row = LabReport.objects.create(patient=patient, external_id=report.external_id, **fields)
    _save_results(row, report, patient)
    write_audit(
        actor=actor, patient=patient, object_type="lab_report", object_id=row.pk, action=CREATE
    )
    return row, True


def _save_results(row: LabReport, report: ports.LabReport, patient: Patient) -> None:
    bands = reference_bands(o.code for o in report.observations)
    age = interpretation.age_on(patient.birth_date, timezone.localdate(report.collected_at))
    results = []
    for position, observation in enumerate(report.observations):
        limits = interpretation.limits_for(
            lab_low=observation.ref_low,
            lab_high=observation.ref_high,
            bands=bands.get(observation.code, ()),
            sex=patient.sex,
            age=age,
        )
        results.append(
            LabResult(
                report=row,
                position=position,
                code=observation.code,
                name=observation.name,
                value=observation.value,
                numeric_text="" if observation.numeric is None else str(observation.numeric),
                unit=observation.unit,
                ref_low=observation.ref_low,
                ref_high=observation.ref_high,
                comment=observation.comment,
                flag=interpretation.flag(observation.numeric, limits),
            )
        )
    LabResult.objects.bulk_create(results)


@transaction.atomic
def save_visit(
    *, patient: Patient, visit: ports.Visit, actor: Actor = SYSTEM
) -> tuple[Visit, bool]:
    existing = Visit.objects.filter(patient=patient, external_id=visit.external_id).first()
    if existing is not None:
        return existing, False
    row = Visit.objects.create(
        patient=patient,
        external_id=visit.external_id,
        doctor_external_id=visit.doctor_id,
        branch_external_id=visit.branch_id,
        start=visit.start,
        protocol=visit.protocol,
    )
    Diagnosis.objects.bulk_create(
        Diagnosis(visit=row, position=n, code=d.code, name=d.name, kind=d.kind)
        for n, d in enumerate(visit.diagnoses)
    )
    Referral.objects.bulk_create(
        Referral(visit=row, position=n, name=name) for n, name in enumerate(visit.referrals)
    )
    write_audit(actor=actor, patient=patient, object_type="visit", object_id=row.pk, action=CREATE)
    return row, True


@transaction.atomic
def save_prescription(
    *, patient: Patient, prescription: ports.Prescription, actor: Actor = SYSTEM
) -> tuple[Prescription, bool]:
    existing = Prescription.objects.filter(
        patient=patient, external_id=prescription.external_id
    ).first()
    if existing is not None:
        return existing, False
    row = Prescription.objects.create(
        patient=patient,
        external_id=prescription.external_id,
        visit=Visit.objects.filter(patient=patient, external_id=prescription.visit_id).first(),
        medicine=prescription.medicine,
        dose=prescription.dose,
        frequency=prescription.frequency,
        instructions=prescription.instructions,
        start=prescription.start,
        duration_days=prescription.duration_days,
    )
    write_audit(
        actor=actor, patient=patient, object_type="prescription", object_id=row.pk, action=CREATE
    )
    return row, True


@transaction.atomic
def save_document(
    *, patient: Patient, document: ports.PatientDocument, actor: Actor = SYSTEM
) -> tuple[Document, bool]:
    existing = Document.objects.filter(patient=patient, external_id=document.external_id).first()
    if existing is not None:
        return existing, False
    kind = document.kind if document.kind in Document.Kind.values else Document.Kind.OTHER
    row = Document(
        patient=patient,
        external_id=document.external_id,
        kind=kind,
        title=document.title,
        issued_at=document.issued_at,
        file_name=document.file_name,
        content_type=document.content_type,
        size=len(document.content),
    )
    # The stored name says nothing about the patient or the document.
    row.file.save(
        f"{patient.pk}-{document.external_id}.bin", ContentFile(document.content), save=False
    )
    row.save()
    write_audit(
        actor=actor, patient=patient, object_type="document", object_id=row.pk, action=CREATE
    )
    return row, True
