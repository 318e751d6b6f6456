"""The API takes a session only once its second factor is verified: a staff
member signed in with the password only, to enrol a device, is anonymous to
it (cabinet/accounts/api_auth.py)."""

import io

from django.core.management import call_command
from django.test import Client

import pytest

from booking.models import Appointment
from tests.cabinet.conftest import verified_staff_login

pytestmark = pytest.mark.django_db

PASSWORD = "Staff-pass-2026"  # noqa: S105


def hold(client, doctor, service, slot) -> Appointment:
    answer = client.post(
        "/api/v1/holds/",
        {"doctor": doctor.pk, "service": service.pk, "start": slot.start.isoformat()},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    return Appointment.objects.get(public_id=answer.json()["id"])


def test_a_half_way_staff_session_is_no_api_session(django_user_model, doctor, service, free):
    editor = django_user_model.objects.create_user("editor-new", password=PASSWORD, is_staff=True)
    out = io.StringIO()
    call_command("staff_enrolment_link", "editor-new", stdout=out, stderr=io.StringIO())
    half_way = Client()
    half_way.get(out.getvalue().strip())
    half_way.post(
        "/admin/login/",
        {
            "staff_login_view-current_step": "auth",
            "auth-username": "editor-new",
            "auth-password": PASSWORD,
        },
    )
    assert "_auth_user_id" in half_way.session  # signed in, to set up the app
    assert hold(half_way, doctor, service, free[0]).patient is None

    verified = Client()
    verified_staff_login(verified, editor)
    assert hold(verified, doctor, service, free[-1]).patient == editor
