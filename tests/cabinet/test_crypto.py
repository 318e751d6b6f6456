"""Encryption at rest: no plaintext in rows or files; key rotation keeps data readable."""

import io
from datetime import UTC, datetime
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

import pytest
from cryptography.fernet import Fernet

from cabinet.records.models import Diagnosis, Document, LabReport, LabResult, Visit

DIAGNOSIS = "Аутоиммунный тиреоидит без нарушения функции"
COMMENT = "Пересдать натощак через две недели"
TABLES = ("records_diagnosis", "records_labresult", "records_visit", "records_labreport")
PDF = b"%PDF-1.4 synthetic discharge summary of the test patient"


def _store_record(patient):
    visit = Visit.objects.create(
        patient=patient,
        external_id="v-1",
        start=datetime(2025, 3, 1, 9, tzinfo=UTC),
        protocol="Жалобы на слабость. Щитовидная железа не увеличена.",
    )
    Diagnosis.objects.create(visit=visit, code="E06.3", name=DIAGNOSIS)
    report = LabReport.objects.create(
        patient=patient,
        external_id="lr-1",
        title="ТТГ",
        collected_at=datetime(2025, 3, 2, 8, tzinfo=UTC),
        issued_at=datetime(2025, 3, 3, 8, tzinfo=UTC),
        conclusion="Уровень ТТГ повышен",
    )
    LabResult.objects.create(
        report=report, code="3016-3", name="ТТГ", value="6,1", numeric_text="6.1", comment=COMMENT
    )
    document = Document(
        patient=patient, external_id="d-1", title="Выписка", issued_at=report.issued_at
    )
    document.file.save("discharge.pdf", ContentFile(PDF), save=False)
    document.file_name = "discharge.pdf"
    document.save()
    return visit, report, document


def _raw_rows() -> str:
    with connection.cursor() as cursor:
        text = []
        for table in (
            "records_diagnosis",
            "records_labresult",
            "records_visit",
            "records_labreport",
        ):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (fixed names)
            text += [str(value) for row in cursor.fetchall() for value in row]
    return "\n".join(text)


@pytest.mark.django_db
def test_raw_rows_and_files_hold_no_plaintext(patient_a):
    _visit, _report, document = _store_record(patient_a)

    raw = _raw_rows()
    for secret in (DIAGNOSIS, "E06.3", COMMENT, "6,1", "Щитовидная", "ТТГ повышен"):
        assert secret not in raw
    on_disk = Path(document.file.path).read_bytes()
    assert b"PDF" not in on_disk and b"discharge" not in on_disk
    # ... while the application reads the plain values back.
    assert Diagnosis.objects.get().name == DIAGNOSIS
    assert LabResult.objects.get().comment == COMMENT
    assert Document.objects.get().file.open("rb").read() == PDF


@pytest.mark.django_db
def test_rotation_re_encrypts_everything_with_the_new_key(patient_a, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(CLINIC_FIELD_KEYS=[old]):
        _store_record(patient_a)
        before = _raw_rows()

    with override_settings(CLINIC_FIELD_KEYS=[new, old]):
        out = io.StringIO()
        call_command("rotate_field_keys", "--batch-size", "2", stdout=out)
        assert "and 1 files" in out.getvalue()
        # A second run finds nothing left to do.
        again = io.StringIO()
        call_command("rotate_field_keys", stdout=again)
        assert again.getvalue().startswith("Re-encrypted 0 field values")
        assert "and 0 files" in again.getvalue()
    assert _raw_rows() != before

    with override_settings(CLINIC_FIELD_KEYS=[new]):  # the old key is gone
        assert Diagnosis.objects.get().name == DIAGNOSIS
        assert LabResult.objects.get().comment == COMMENT
        assert LabReport.objects.get().conclusion == "Уровень ТТГ повышен"
        assert Document.objects.get().file.open("rb").read() == PDF


@override_settings(CLINIC_ENV="production", PRODUCTION=True, CLINIC_FIELD_KEYS=[])
def test_production_refuses_to_encrypt_without_keys():
    from django.core.exceptions import ImproperlyConfigured

    from clinic_site.crypto import encrypt_text

    with pytest.raises(ImproperlyConfigured):
        encrypt_text("x")


def test_production_refuses_to_start_without_field_keys():
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in {"CLINIC_FIELD_KEYS", "DEBUG"}} | {
        "CLINIC_ENV": "production",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "clinic.example",
        "DJANGO_SETTINGS_MODULE": "clinic_site.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "CLINIC_FIELD_KEYS must be set when CLINIC_ENV=production" in result.stderr
