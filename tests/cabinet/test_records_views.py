"""The cabinet's medical-data pages: what the patient sees, and the audit of every read."""

import re

from django.urls import reverse

import pytest

from cabinet.audit.models import AuditRecord
from cabinet.records.models import Document, LabReport, Prescription, RecordImport, Visit
from integrations.mis.demo import DemoMis
from tests.cabinet.conftest import open_cabinet


@pytest.fixture
def patient_client(client, demo_patient):
    open_cabinet(client, demo_patient.account)
    return client


def _views(patient):
    # Titles are encrypted: picked in Python, not in SQL.
    (report,) = [
        r
        for r in LabReport.objects.filter(patient=patient)
        if r.title == "Гормоны щитовидной железы"
    ]
    visit = Visit.objects.filter(patient=patient).first()
    document = Document.objects.filter(patient=patient).first()
    return {
        # url: (object_type, object_id, action)
        reverse("cabinet:records:results"): ("lab_reports", "", "read"),
        reverse("cabinet:records:report", args=[report.pk]): ("lab_report", report.pk, "read"),
        reverse("cabinet:records:report-pdf", args=[report.pk]): (
            "lab_report",
            report.pk,
            "export",
        ),
        reverse("cabinet:records:analyte", args=["3016-3"]): ("analyte_history", "3016-3", "read"),
        reverse("cabinet:records:card"): ("medical_card", "", "read"),
        reverse("cabinet:records:visit", args=[visit.pk]): ("visit", visit.pk, "read"),
        reverse("cabinet:records:prescriptions"): ("prescriptions", "", "read"),
        reverse("cabinet:records:documents"): ("documents", "", "read"),
        reverse("cabinet:records:document", args=[document.pk]): (
            "document",
            document.pk,
            "export",
        ),
    }


@pytest.mark.django_db
def test_every_medical_view_writes_its_audit_record(patient_client, demo_patient):
    for url, (object_type, object_id, action) in _views(demo_patient).items():
        before = AuditRecord.objects.count()
        response = patient_client.get(url, REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="TestPhone/1")
        assert response.status_code == 200, url
        new = list(AuditRecord.objects.filter(pk__gt=0).order_by("id")[before:])
        assert len(new) == 1, url
        record = new[0]
        assert (record.object_type, record.object_id, record.action) == (
            object_type,
            str(object_id),
            action,
        ), url
        assert record.actor_id == demo_patient.account_id
        assert record.patient_id == demo_patient.pk
        assert record.on_behalf_of_id is None
        assert (record.ip, record.user_agent) == ("203.0.113.7", "TestPhone/1")


@pytest.mark.django_db
def test_report_page_shows_flags_and_interpretation(patient_client, demo_patient):
    report = LabReport.objects.get(external_id="lr-pt-demo-0001-02")
    html = patient_client.get(reverse("cabinet:records:report", args=[report.pk])).content.decode()
    assert "ТТГ" in html and "7,8" in html
    assert "analyte--high" in html and "analyte--normal" in html
    assert "Рекомендуется контроль через 6–8 недель" in html  # the lab's comment, decrypted
    assert re.search(r"\(4 мМЕ/л\)|\(4,0 мМЕ/л\)", html)  # the upper limit in the interpretation
    assert "95" in html  # 7.8 is 95 % above 4.0


@pytest.mark.django_db
def test_analyte_page_carries_chart_data_without_inline_script(patient_client):
    html = patient_client.get(reverse("cabinet:records:analyte", args=["2093-3"])).content.decode()
    assert '<script id="analyte-chart-data" type="application/json">' in html
    assert '"low": 3.0, "high": 5.2' in html  # the clinic's band: no range came from the lab
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    for attributes, _body in scripts:
        # Only scripts from files, or data blocks the browser never executes.
        data_block = re.search(r'type="application/(ld\+)?json"', attributes)
        assert "src=" in attributes or data_block, attributes
    assert "onclick=" not in html and "onload=" not in html and 'style="' not in html


@pytest.mark.django_db
def test_pdf_and_document_download(patient_client, demo_patient):
    report = LabReport.objects.get(external_id="lr-pt-demo-0001-05")
    pdf = patient_client.get(reverse("cabinet:records:report-pdf", args=[report.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    body = b"".join(pdf.streaming_content)
    assert body.startswith(b"%PDF-") and len(body) > 2000
    document = Document.objects.get(external_id="doc-pt-demo-0001-02")
    download = patient_client.get(reverse("cabinet:records:document", args=[document.pk]))
    content = b"".join(download.streaming_content)
    source = DemoMis().patient_record(patient_id="pt-demo-0001").documents[1].content
    assert content.startswith(b"%PDF-") and len(content) == len(source) == document.size
    assert "attachment" in download["Content-Disposition"]


@pytest.mark.django_db
def test_card_prescriptions_and_access_log(patient_client, demo_patient):
    card = patient_client.get(reverse("cabinet:records:card")).content.decode()
    assert "E06.3" in card and "Аутоиммунный тиреоидит" in card
    assert "Эссенциальная (первичная) гипертензия" in card and "Эхокардиография" in card

    page = patient_client.get(reverse("cabinet:records:prescriptions")).content.decode()
    current, finished = page.split("prescriptions--finished")
    assert "Левотироксин натрия" in current and "50 мкг" in current
    assert "Колекальциферол" in current
    assert "Аторвастатин" in finished and "Ацетилцистеин" in finished
    rx = Prescription.objects.get(external_id="rx-pt-demo-0001-06")
    assert rx.end_date.strftime("%d.%m.%Y") in finished

    log = patient_client.get(reverse("cabinet:records:access-log")).content.decode()
    assert log.count("<tr>") >= 5


@pytest.mark.django_db
def test_home_links_sections_and_shows_no_import_when_fresh(patient_client):
    html = patient_client.get(reverse("cabinet:home")).content.decode()
    for name in ("results", "card", "prescriptions", "documents", "access-log"):
        assert reverse(f"cabinet:records:{name}") in html
    assert "hx-trigger" not in html
    assert RecordImport.objects.count() == 1


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("cabinet:records:results"))
    assert response.status_code == 302 and "login" in response["Location"]
