"""The demo logins of `make run` work with their second factors."""

import io

from django.core.management import call_command

import pytest
from django_otp.oath import totp

from cabinet.accounts.models import Patient, User
from cabinet.consent.services import current_documents
from cabinet.proxies.services import valid_grants
from tests.cabinet.conftest import last_code

pytestmark = pytest.mark.django_db


def test_demo_patient_and_editor_log_in_with_their_second_factor(demo_clinic, client):
    patient = User.objects.get(username="patient")
    assert Patient.objects.get(account=patient).mis_id == "pt-demo-0001"
    assert [g.child.mis_id for g in valid_grants(patient)] == ["pt-demo-0002"]
    assert {d.kind for d in current_documents()} == {"personal_data", "medical_data"}
    assert "Согласие" in current_documents()[0].title

    client.post(
        "/cabinet/login/",
        {
            "login_view-current_step": "auth",
            "auth-username": "patient",
            "auth-password": "demo-patient-2026",
        },
    )
    client.post(
        "/cabinet/login/",
        {
            "login_view-current_step": "token",
            "token-otp_token": last_code("+79990000001", "login_code"),
        },
    )
    assert client.get("/cabinet/")["Location"].startswith("/cabinet/consent/")
    client.logout()

    out = io.StringIO()
    call_command("demo_totp", "editor", stdout=out)
    editor = User.objects.get(username="editor")
    device = editor.totpdevice_set.get()
    assert out.getvalue().strip() == f"{totp(device.bin_key):06d}"
    client.post(
        "/cabinet/login/",
        {
            "login_view-current_step": "auth",
            "auth-username": "editor",
            "auth-password": "demo-editor-2026",
        },
    )
    client.post(
        "/cabinet/login/",
        {"login_view-current_step": "token", "token-otp_token": out.getvalue().strip()},
    )
    assert client.get("/admin/").status_code == 200
