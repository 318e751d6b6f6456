"""A booking made through the API by a logged-in patient is theirs: linked to
their account from the hold on (the API finds it by the login, without the
token; nobody else's login does), and a guest's hold confirmed after logging
in belongs to that account too."""

from django.contrib.auth import get_user_model
from django.test import Client

import pytest

from booking.models import Appointment

PATIENT = {"last_name": "Апишная", "first_name": "Нина", "phone": "+79990000041"}


@pytest.fixture
def patient_user(db):
    return get_user_model().objects.create_user("nina", password="x", phone=PATIENT["phone"])


def hold(client, slot):
    body = {"doctor": slot.doctor.pk, "service": slot.service.pk, "start": slot.start.isoformat()}
    answer = client.post("/api/v1/holds/", body, content_type="application/json")
    assert answer.status_code == 201, answer.content
    return answer.json()


def confirm(client, held):
    body = {"token": held["token"], "patient": PATIENT, "consent": True}
    answer = client.post(
        f"/api/v1/appointments/{held['id']}/confirm/", body, content_type="application/json"
    )
    assert answer.status_code in (200, 202), answer.content
    return Appointment.objects.get(public_id=held["id"])


def test_a_hold_and_its_booking_belong_to_the_logged_in_patient(client, patient_user, free):
    client.force_login(patient_user)
    held = hold(client, free[0])
    assert Appointment.objects.get(public_id=held["id"]).patient == patient_user
    # Her login finds it without the token; another login does not.
    assert client.get(f"/api/v1/appointments/{held['id']}/").status_code == 200
    stranger = Client()
    stranger.force_login(get_user_model().objects.create_user("other", password="x"))
    assert stranger.get(f"/api/v1/appointments/{held['id']}/").status_code == 404

    assert confirm(client, held).patient == patient_user


def test_a_guests_hold_confirmed_after_logging_in_is_the_accounts(client, patient_user, free):
    held = hold(client, free[0])  # not logged in yet
    assert Appointment.objects.get(public_id=held["id"]).patient is None
    client.force_login(patient_user)
    assert confirm(client, held).patient == patient_user
