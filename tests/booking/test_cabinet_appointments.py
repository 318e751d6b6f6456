"""The cabinet's appointments: the patient's own, upcoming and past; cancel and
move them; another patient's appointment is never found."""

from django.contrib.auth import get_user_model

import pytest

from booking import services
from booking.models import Appointment
from booking.services import PatientDetails
from tests.booking.test_manage_link import deliver_all
from tests.consent import CONSENT

PATIENT = PatientDetails(last_name="Кабинетная", first_name="Ольга", phone="+79990000071")


@pytest.fixture
def patient_user(db):
    return get_user_model().objects.create_user("olga", password="x", phone=PATIENT.phone)


def booked_by(user, doctor, service, start) -> Appointment:
    held = services.hold_slot(doctor=doctor, service=service, start=start, patient=user)
    appointment = services.confirm(consent=CONSENT, appointment=held, patient=PATIENT, user=user)
    deliver_all()
    appointment.refresh_from_db()
    assert appointment.status == "confirmed"
    return appointment


def test_the_list_shows_my_upcoming_and_cancelled_visits(
    client, patient_user, doctor, service, free
):
    upcoming = booked_by(patient_user, doctor, service, free[0].start)
    cancelled = services.cancel(appointment=booked_by(patient_user, doctor, service, free[5].start))
    client.force_login(patient_user)
    page = client.get("/cabinet/appointments/").content.decode()
    assert page.index(str(upcoming.public_id)) < page.index('data-appointments="past"')
    assert page.index(str(cancelled.public_id)) > page.index('data-appointments="past"')


def test_cancel_and_move_from_the_cabinet(client, patient_user, doctor, service, free):
    appointment = booked_by(patient_user, doctor, service, free[0].start)
    client.force_login(patient_user)
    url = f"/cabinet/appointments/{appointment.public_id}/"
    moved = client.post(url, {"action": "reschedule", "start": free[8].start.isoformat()})
    assert moved.status_code == 302
    new = Appointment.objects.get(start=free[8].start, doctor=doctor)
    assert moved.url == f"/cabinet/appointments/{new.public_id}/"
    assert new.patient == patient_user
    deliver_all()
    client.post(moved.url, {"action": "cancel"})
    new.refresh_from_db()
    assert new.status == "cancelled"


def test_another_patients_appointment_is_a_404_and_unchanged(
    client, patient_user, doctor, service, free
):
    theirs = booked_by(patient_user, doctor, service, free[0].start)
    intruder = get_user_model().objects.create_user("intruder", password="x")
    client.force_login(intruder)
    url = f"/cabinet/appointments/{theirs.public_id}/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "cancel"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "confirmed"
    assert str(theirs.public_id) not in client.get("/cabinet/appointments/").content.decode()


def test_the_cabinet_needs_a_login(client):
    response = client.get("/cabinet/appointments/")
    assert response.status_code == 302
    assert "login" in response.url
