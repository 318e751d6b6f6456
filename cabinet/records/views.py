"""The cabinet's medical-data pages: thin, every read through the selectors."""

from __future__ import annotations

import io

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cabinet.records import selectors
from cabinet.records.pdf import lab_report_pdf


def cabinet_view(view):
    """Logged in, GET only, never cached by a browser or a proxy."""
    return login_required(never_cache(require_GET(view)))


@cabinet_view
def import_progress(request: HttpRequest, import_id: int) -> HttpResponse:
    viewer = selectors.patient_viewer(request)
    record_import = selectors.record_import(viewer, import_id)
    return render(
        request, "cabinet/records/_import_progress.html", {"record_import": record_import}
    )


@cabinet_view
def results(request: HttpRequest) -> HttpResponse:
    viewer = selectors.patient_viewer(request)
    return render(
        request, "cabinet/records/results.html", {"reports": selectors.lab_reports(viewer)}
    )


@cabinet_view
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    viewer = selectors.patient_viewer(request)
    report, lines = selectors.lab_report(viewer, report_id)
    return render(request, "cabinet/records/report.html", {"report": report, "lines": lines})


@cabinet_view
def report_pdf(request: HttpRequest, report_id: int) -> FileResponse:
    viewer = selectors.patient_viewer(request)
    report, lines = selectors.lab_report_export(viewer, report_id)
    content = lab_report_pdf(
        report=report, lines=lines, patient=viewer.patient, clinic_name=settings.WAGTAIL_SITE_NAME
    )
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=f"lab-report-{report.collected_at:%Y-%m-%d}-{report.pk}.pdf",
        content_type="application/pdf",
    )


@cabinet_view
def analyte(request: HttpRequest, code: str) -> HttpResponse:
    viewer = selectors.patient_viewer(request)
    history = selectors.analyte_history(viewer, code)
    return render(
        request,
        "cabinet/records/analyte.html",
        {"history": history, "chart": history.chart_data()},
    )


@cabinet_view
def card(request: HttpRequest) -> HttpResponse:
    viewer = selectors.patient_viewer(request)
    return render(
        request,
        "cabinet/records/card.html",
        {"patient": viewer.patient, "visits": selectors.medical_card(viewer)},
    )


@cabinet_view
def visit_detail(request: HttpRequest, visit_id: int) -> HttpResponse:
    viewer = selectors.patient_viewer(request)
    return render(
        request, "cabinet/records/visit.html", {"visit": selectors.visit(viewer, visit_id)}
    )


@cabinet_view
def prescriptions(request: HttpRequest) -> HttpResponse:
    viewer = selectors.patient_viewer(request)
    current, finished = selectors.prescriptions(viewer)
    return render(
        request,
        "cabinet/records/prescriptions.html",
        {"current": current, "finished": finished},
    )


@cabinet_view
def documents(request: HttpRequest) -> HttpResponse:
    viewer = selectors.patient_viewer(request)
    return render(
        request, "cabinet/records/documents.html", {"documents": selectors.documents(viewer)}
    )


@cabinet_view
def document_download(request: HttpRequest, document_id: int) -> FileResponse:
    viewer = selectors.patient_viewer(request)
    document = selectors.document_download(viewer, document_id)
    # The storage decrypts on open; FileResponse streams the plaintext in chunks.
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.file_name,
        content_type=document.content_type,
    )


@cabinet_view
def access_log(request: HttpRequest) -> HttpResponse:
    viewer = selectors.patient_viewer(request)
    return render(
        request,
        "cabinet/records/access_log.html",
        {"patient": viewer.patient, "records": selectors.access_history(viewer)},
    )
