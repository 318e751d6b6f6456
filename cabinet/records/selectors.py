"""Reading the patient's records: every function here writes its audit record.

Views never query records themselves: they build a `Viewer` (whose data, who
asks, from where) and call these. Objects are always looked up inside the
viewer's patient, so another patient's id is a 404, never a leak.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cabinet.access import acting_patient
from cabinet.accounts.models import Patient
from cabinet.audit.models import AuditRecord
from cabinet.audit.services import Actor, actor_from_request, write_audit
from cabinet.records import interpretation, services
from cabinet.records.models import (
    Diagnosis,
    Document,
    LabReport,
    LabResult,
    Prescription,
    RecordImport,
    Referral,
    Visit,
)

READ, EXPORT = AuditRecord.Action.READ, AuditRecord.Action.EXPORT


@dataclass(frozen=True)
class Viewer:
    """Whose records are read (`patient`) and who reads them (`actor`)."""

    patient: Patient
    actor: Actor


def patient_viewer(request: HttpRequest) -> Viewer:
    """The cabinet's viewer: the acting patient of a logged-in user (404 if none)."""
    patient = acting_patient(request)
    return Viewer(patient=patient, actor=actor_from_request(request, patient=patient))


def _audit(viewer: Viewer, object_type: str, object_id: object = "", action: str = READ) -> None:
    write_audit(
        actor=viewer.actor,
        patient=viewer.patient,
        object_type=object_type,
        object_id=object_id,
        action=action,
    )


# --- lab results ------------------------------------------------------------


@dataclass(frozen=True)
class ResultLine:
    result: LabResult
    limits: interpretation.Limits
    text: str


def lab_reports(viewer: Viewer) -> QuerySet[LabReport]:
    _audit(viewer, "lab_reports")
    return LabReport.objects.filter(patient=viewer.patient).prefetch_related("results")


def _report(viewer: Viewer, report_id: int) -> LabReport:
    return get_object_or_404(
        LabReport.objects.prefetch_related("results"), patient=viewer.patient, pk=report_id
    )


def _lines(viewer: Viewer, report: LabReport) -> list[ResultLine]:
    results = list(report.results.all())
    bands = services.reference_bands(r.code for r in results)
    lines = []
    for result in results:
        result.report = report
        limits = services.limits_of(result, patient=viewer.patient, bands=bands)
        lines.append(
            ResultLine(
                result, limits, interpretation.interpret(result.numeric, result.unit, limits)
            )
        )
    return lines


def lab_report(viewer: Viewer, report_id: int) -> tuple[LabReport, list[ResultLine]]:
    report = _report(viewer, report_id)
    _audit(viewer, "lab_report", report.pk)
    return report, _lines(viewer, report)


def lab_report_export(viewer: Viewer, report_id: int) -> tuple[LabReport, list[ResultLine]]:
    report = _report(viewer, report_id)
    _audit(viewer, "lab_report", report.pk, EXPORT)
    return report, _lines(viewer, report)


@dataclass(frozen=True)
class AnalyteHistory:
    code: str
    name: str
    unit: str
    lines: list[ResultLine]  # oldest first

    def chart_data(self) -> dict:
        """What the chart script draws: points and the normal band at each point."""

        def number(value):
            return None if value is None else float(value)

        return {
            "name": self.name,
            "unit": self.unit,
            "points": [
                {
                    "x": timezone.localdate(line.result.report.collected_at).isoformat(),
                    "y": number(line.result.numeric),
                    "low": number(line.limits.low),
                    "high": number(line.limits.high),
                    "flag": line.result.flag,
                }
                for line in self.lines
                if line.result.numeric is not None
            ],
        }


def analyte_history(viewer: Viewer, code: str) -> AnalyteHistory:
    results = list(
        LabResult.objects.filter(report__patient=viewer.patient, code=code)
        .select_related("report")
        .order_by("report__collected_at", "id")
    )
    if not results:
        raise Http404
    _audit(viewer, "analyte_history", code)
    bands = services.reference_bands([code])
    lines = []
    for result in results:
        limits = services.limits_of(result, patient=viewer.patient, bands=bands)
        lines.append(
            ResultLine(
                result, limits, interpretation.interpret(result.numeric, result.unit, limits)
            )
        )
    last = results[-1]
    return AnalyteHistory(code=code, name=last.name, unit=last.unit, lines=lines)


# --- medical card, prescriptions, documents ---------------------------------


def _visits(patient: Patient) -> QuerySet[Visit]:
    return Visit.objects.filter(patient=patient).prefetch_related(
        Prefetch("diagnoses", queryset=Diagnosis.objects.order_by("position", "id")),
        Prefetch("referrals", queryset=Referral.objects.order_by("position", "id")),
        Prefetch("prescriptions", queryset=Prescription.objects.order_by("start", "id")),
    )


def medical_card(viewer: Viewer) -> list[Visit]:
    _audit(viewer, "medical_card")
    return list(_visits(viewer.patient))


def visit(viewer: Viewer, visit_id: int) -> Visit:
    found = get_object_or_404(_visits(viewer.patient), pk=visit_id)
    _audit(viewer, "visit", found.pk)
    return found


def prescriptions(viewer: Viewer) -> tuple[list[Prescription], list[Prescription]]:
    """(current, finished) as of today."""
    _audit(viewer, "prescriptions")
    today = timezone.localdate()
    rows = list(Prescription.objects.filter(patient=viewer.patient))
    current = sorted((p for p in rows if p.is_current(today)), key=lambda p: p.end_date)
    finished = [p for p in rows if not p.is_current(today)]
    return current, finished


def documents(viewer: Viewer) -> QuerySet[Document]:
    _audit(viewer, "documents")
    return Document.objects.filter(patient=viewer.patient)


def document_download(viewer: Viewer, document_id: int) -> Document:
    document = get_object_or_404(Document, patient=viewer.patient, pk=document_id)
    _audit(viewer, "document", document.pk, EXPORT)
    return document


# --- the patient's own views of the system ----------------------------------


def access_history(viewer: Viewer, *, limit: int = 200) -> QuerySet[AuditRecord]:
    """Who read or changed this patient's data, newest first ("who viewed my data")."""
    return AuditRecord.objects.filter(patient=viewer.patient).order_by("-at", "-id")[:limit]


def record_import(viewer: Viewer, import_id: int) -> RecordImport:
    return get_object_or_404(RecordImport, patient=viewer.patient, pk=import_id)
