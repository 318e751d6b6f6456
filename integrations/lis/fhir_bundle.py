"""A lab's FHIR R4 Bundle as ports values: DiagnosticReport + Observations -> LabReport,
the PDF Binary -> PatientDocument. Observations map as in integrations/protocols/fhir.py."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from integrations.ports import LabReport, MisError, PatientDocument
from integrations.protocols.fhir import (
    NOMENCLATURE,
    codes,
    observation,
    parse,
    ref_id,
    report_status,
)

PDF = "application/pdf"
# Where a lab writes the patient's MIS id on the report's subject (assumed profile).
MIS_PATIENT_SYSTEM = "urn:clinic:mis:patient"


class MalformedBundle(ValueError):
    """The body is not a Bundle holding one DiagnosticReport this platform can store."""


@dataclass(frozen=True)
class BundleContent:
    report: LabReport
    document: PatientDocument | None = None


def read_bundle(body: bytes, *, time_zone: str = "Europe/Moscow") -> BundleContent:
    """The report of a webhook body; MalformedBundle says what is wrong."""
    data = _json(body)
    if data.get("resourceType") != "Bundle":
        raise MalformedBundle("the body is not a FHIR Bundle")
    resources = _resources(data)
    reports = [r for r in resources if r.get_resource_type() == "DiagnosticReport"]
    if len(reports) != 1:
        raise MalformedBundle(f"expected one DiagnosticReport, found {len(reports)}")
    observations = _observations(resources)
    report = lab_report(reports[0], observations, zone=ZoneInfo(time_zone))
    binaries = [e.get("resource") or {} for e in data.get("entry") or []]
    pdf = next((b for b in binaries if b.get("resourceType") == "Binary"), None)
    return BundleContent(report=report, document=_document(pdf, report) if pdf else None)


def reports_in_searchset(data: Any, *, time_zone: str = "Europe/Moscow") -> list[LabReport]:
    """The DiagnosticReports of a search answer (`_include=DiagnosticReport:result`)."""
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        raise MalformedBundle("the answer is not a FHIR Bundle")
    resources = _resources(data)
    observations = _observations(resources)
    zone = ZoneInfo(time_zone)
    return [
        lab_report(resource, observations, zone=zone)
        for resource in resources
        if resource.get_resource_type() == "DiagnosticReport"
    ]


def lab_report(resource: Any, observations: dict[str, Any], *, zone: ZoneInfo) -> LabReport:
    if not resource.id:
        raise MalformedBundle("the DiagnosticReport has no id")
    patient_id = _patient_id(resource.subject)
    if not patient_id:
        raise MalformedBundle("the DiagnosticReport names no patient")
    results = []
    for reference in resource.result or []:
        found = observations.get(ref_id(reference.reference))
        if found is None:
            raise MalformedBundle(f"result {reference.reference} is not in the Bundle")
        results.append(observation(found))
    collected = resource.effectiveDateTime or resource.issued
    if collected is None:
        raise MalformedBundle("the DiagnosticReport has neither effectiveDateTime nor issued")
    code = resource.code
    catalog = codes([code], NOMENCLATURE)
    return LabReport(
        external_id=resource.id,
        patient_id=patient_id,
        title=code.text or next((c.display for c in code.coding or [] if c.display), ""),
        collected_at=_aware(collected, zone),
        issued_at=_aware(resource.issued or collected, zone),
        observations=tuple(results),
        status=report_status(resource.status),
        lab_test_id=f"lt-{catalog[0]}" if catalog else "",
        conclusion=resource.conclusion or "",
    )


def _json(body: bytes) -> dict:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise MalformedBundle(f"the body is not JSON: {error}") from error
    if not isinstance(data, dict):
        raise MalformedBundle("the body is not a JSON object")
    return data


def _resources(data: dict) -> list[Any]:
    resources = []
    for number, entry in enumerate(data.get("entry") or []):
        raw = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(raw, dict):
            raise MalformedBundle(f"entry {number} has no resource")
        try:
            resources.append(parse(raw, f"entry {number}"))
        except MisError as error:
            raise MalformedBundle(str(error)) from error
    return resources


def _observations(resources: list[Any]) -> dict[str, Any]:
    return {r.id: r for r in resources if r.get_resource_type() == "Observation" and r.id}


def _patient_id(subject: Any) -> str:
    if subject is None:
        return ""
    identifier = subject.identifier
    if identifier is not None and identifier.value:
        return identifier.value
    reference = subject.reference or ""
    return ref_id(reference) if reference.startswith("Patient/") else ""


def _aware(moment: date | datetime, zone: ZoneInfo) -> datetime:
    """An instant as an aware datetime; a bare date or local time is read on the lab's zone."""
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time(0, 0))
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _document(binary: dict, report: LabReport) -> PatientDocument:
    if binary.get("contentType") != PDF:
        raise MalformedBundle(f"the Binary is {binary.get('contentType')!r}, not {PDF}")
    try:
        content = base64.b64decode(binary.get("data") or "", validate=True)
    except (binascii.Error, ValueError) as error:
        raise MalformedBundle("the Binary's data is not base64") from error
    if not content.startswith(b"%PDF"):
        raise MalformedBundle("the Binary is not a PDF file")
    return PatientDocument(
        external_id=f"{report.external_id}-pdf",
        patient_id=report.patient_id,
        kind="other",
        title=report.title,
        issued_at=report.issued_at,
        content=content,
        file_name=f"{report.external_id}.pdf",
    )
