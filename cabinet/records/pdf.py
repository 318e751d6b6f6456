"""A lab report as a PDF (fpdf2 with DejaVu Sans for Cyrillic)."""

from __future__ import annotations

from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from fpdf import FPDF

from cabinet.accounts.models import Patient

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def _flag_label(flag: str) -> str:
    return {
        "normal": _("normal"),
        "low": _("below normal"),
        "high": _("above normal"),
        "critical": _("critical"),
    }.get(flag, "")


def _range(line) -> str:
    low, high = line.limits.low, line.limits.high
    if low is None and high is None:
        return "—"

    def show(value):
        return format(value.normalize(), "f").replace(".", ",")

    if low is not None and high is not None:
        return f"{show(low)}–{show(high)}"
    return f"≥ {show(low)}" if low is not None else f"≤ {show(high)}"


def lab_report_pdf(*, report, lines, patient: Patient, clinic_name: str) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(report.title)
    pdf.set_author(clinic_name)
    pdf.add_font("DejaVu", fname=str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", style="B", fname=str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(0, 8, clinic_name, new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 8, report.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=10)
    collected = timezone.localtime(report.collected_at)
    issued = timezone.localtime(report.issued_at)
    for label, value in (
        (_("Patient"), str(patient)),
        (_("Birth date"), patient.birth_date.strftime("%d.%m.%Y") if patient.birth_date else "—"),
        (_("Sample taken"), collected.strftime("%d.%m.%Y %H:%M")),
        (_("Issued"), issued.strftime("%d.%m.%Y %H:%M")),
    ):
        pdf.multi_cell(0, 6, f"{label}: {value}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    widths = (64, 28, 24, 32, 42)
    pdf.set_font("DejaVu", "B", 9)
    headers = (_("Analyte"), _("Result"), _("Unit"), _("Reference"), _("Assessment"))
    for width, header in zip(widths, headers, strict=True):
        pdf.cell(width, 7, header, border=1)
    pdf.ln()
    pdf.set_font("DejaVu", size=9)
    for line in lines:
        result = line.result
        cells = (result.name, result.value, result.unit, _range(line), _flag_label(result.flag))
        for width, text in zip(widths, cells, strict=True):
            pdf.cell(width, 7, text[:40], border=1)
        pdf.ln()
    notes = [(line.result.name, line.result.comment) for line in lines if line.result.comment]
    if notes or report.conclusion:
        pdf.ln(3)
        for name, comment in notes:
            pdf.multi_cell(0, 5, f"{name}: {comment}", new_x="LMARGIN", new_y="NEXT")
        if report.conclusion:
            pdf.multi_cell(
                0, 5, f"{_('Conclusion')}: {report.conclusion}", new_x="LMARGIN", new_y="NEXT"
            )
    pdf.ln(4)
    pdf.set_font_size(8)
    pdf.multi_cell(
        0,
        4,
        _("The assessment compares the result with reference values; only a doctor interprets it."),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
