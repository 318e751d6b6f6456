"""The signed link in the SMS: see, cancel or move an appointment without logging in."""

import re
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core import signing
from django.test import Client

import pytest

from booking import links, services
from booking.links import manage_path
from booking.models import Appointment
from booking.services import PatientDetails
from integrations import outbox
from integrations.models import OutboxMessage
from integrations.sms.models import SmsDelivery
from tests.consent import CONSENT

PATIENT = PatientDetails(last_name="Тестова", first_name="Анна", phone="+79990000007")


def booked(doctor, service, start):
    appointment = services.confirm(
        consent=CONSENT,
        appointment=services.hold_slot(doctor=doctor, service=service, start=start),
        patient=PATIENT,
    )
    deliver_all()
    appointment.refresh_from_db()
    assert appointment.status == "confirmed"
    return appointment


def deliver_all():
    for pk in OutboxMessage.objects.filter(status="pending").values_list("pk", flat=True):
        outbox.deliver(pk)


def test_a_forged_link_is_a_404(client, doctor, service, free):
    appointment = booked(doctor, service, free[0].start)
    path = manage_path(appointment)
    assert client.get(path).status_code == 200
    assert client.get(path[:-3] + "xyz/").status_code == 404
    assert client.get(f"/book/manage/{appointment.public_id}/").status_code == 404


def test_cancel_from_the_link(client, doctor, service, free):
    appointment = booked(doctor, service, free[0].start)
    page = client.get(manage_path(appointment)).content.decode()
    assert doctor.full_name in page and "Отменить запись" in page
    response = client.post(manage_path(appointment), {"action": "cancel"}, follow=True)
    assert "Запись отменена" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"


def test_reschedule_frees_the_old_time_only_once_the_new_is_confirmed(
    client, doctor, service, free, mis, settings
):
    old = booked(doctor, service, free[0].start)
    target = free[12].start
    settings.MIS_DEMO_OUTAGE = True  # the MIS is down when the patient moves the visit
    response = client.post(manage_path(old), {"action": "reschedule", "start": target.isoformat()})
    assert response.status_code == 302
    new = Appointment.objects.get(replaces=old)
    assert new.start == target and new.status == "awaiting"
    old.refresh_from_db()
    assert old.status == "confirmed"  # not lost while the new one waits
    settings.MIS_DEMO_OUTAGE = False
    deliver_all()
    deliver_all()
    new.refresh_from_db()
    old.refresh_from_db()
    assert (new.status, old.status) == ("confirmed", "cancelled")
    day = free[0].start.date()
    busy = {
        b.start for b in mis.schedule(start=day, end=day).busy if b.doctor_id == doctor.external_id
    }
    assert free[0].start not in busy


def test_cutoff_applies_to_the_link(client, doctor, service, free, settings):
    appointment = booked(doctor, service, free[0].start)
    settings.BOOKING_CANCEL_CUTOFF_HOURS = 24 * 365
    response = client.post(manage_path(appointment), {"action": "cancel"}, follow=True)
    assert "позвоните" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == "confirmed"


@pytest.mark.parametrize("start", ["", "not-a-time"])
def test_bad_reschedule_input_gets_a_clear_message(client, doctor, service, free, start):
    appointment = booked(doctor, service, free[0].start)
    response = client.post(
        manage_path(appointment), {"action": "reschedule", "start": start}, follow=True
    )
    assert "Выберите время из списка" in response.content.decode()


# How long a link lives, and revoking it.


def assert_link_gone(response, status=410):
    """The clear page of a link that no longer works: nothing of the booking."""
    page = response.content.decode()
    assert response.status_code == status
    assert "data-link-gone" in page
    for private in (PATIENT.last_name, PATIENT.first_name, PATIENT.phone, "data-appointment"):
        assert private not in page
    assert 'name="action"' not in page and "/cabinet/appointments/" in page
    return page


def sms_link(purpose):
    return re.search(r"/book/manage/\S+/", SmsDelivery.objects.get(purpose=purpose).text).group(0)


def test_a_link_works_until_the_visit_ends(client, doctor, service, free, time_machine):
    appointment = booked(doctor, service, free[0].start)
    path = manage_path(appointment)
    time_machine.move_to(appointment.end - timedelta(minutes=1), tick=False)
    assert PATIENT.last_name in client.get(path).content.decode()
    time_machine.move_to(appointment.end, tick=False)
    page = assert_link_gone(client.get(path))
    assert doctor.full_name not in page
    assert_link_gone(client.get(path + "calendar.ics"))
    assert_link_gone(client.post(path, {"action": "cancel"}))
    appointment.refresh_from_db()
    assert appointment.status == "confirmed"


def test_a_cancelled_visits_link_no_longer_opens_it(client, doctor, service, free):
    appointment = booked(doctor, service, free[0].start)
    done = client.post(manage_path(appointment), {"action": "cancel"})
    assert "Запись отменена" in assert_link_gone(done, status=200)  # said where it was done
    assert_link_gone(client.get(manage_path(appointment)))


def test_the_patient_revokes_the_link_and_gets_a_new_one_by_sms(client, doctor, service, free):
    appointment = booked(doctor, service, free[0].start)
    old = manage_path(appointment)
    assert 'value="revoke"' in client.get(old).content.decode()
    assert_link_gone(client.post(old, {"action": "revoke"}), status=200)
    assert_link_gone(Client().get(old))  # on any device
    assert_link_gone(client.post(old, {"action": "cancel"}))
    text = SmsDelivery.objects.get(purpose="booking_new_link")
    assert text.phone == PATIENT.phone
    new = sms_link("booking_new_link")
    assert new != old
    page = Client().get(new)
    assert page.status_code == 200 and PATIENT.last_name in page.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == "confirmed" and manage_path(appointment) == new


def test_after_a_move_only_the_new_link_works(client, doctor, service, free):
    old = booked(doctor, service, free[0].start)
    old_link = manage_path(old)
    client.post(old_link, {"action": "reschedule", "start": free[12].start.isoformat()})
    # The old visit stands until the new time is confirmed.
    assert client.get(old_link).status_code == 200
    deliver_all()
    deliver_all()
    new = Appointment.objects.get(replaces=old)
    assert new.status == "confirmed"
    assert_link_gone(client.get(old_link))
    assert_link_gone(client.get(old_link + "calendar.ics"))
    moved = client.get(sms_link("booking_moved"))
    assert moved.status_code == 200 and PATIENT.last_name in moved.content.decode()


@pytest.fixture
def registrar(db, client):
    user = get_user_model().objects.create_superuser("registrar", password="x-long-password-1")
    client.force_login(user)
    return client


def revoke_in_admin(registrar, appointment, action):
    return registrar.post(
        "/django-admin/booking/appointment/",
        {"action": action, "_selected_action": [appointment.pk]},
        follow=True,
    )


def test_staff_revoke_all_links_of_an_appointment_in_the_admin(registrar, doctor, service, free):
    appointment = booked(doctor, service, free[0].start)
    first = manage_path(appointment)
    listing = registrar.get("/django-admin/booking/appointment/").content.decode()
    assert 'value="revoke_sms_links"' in listing and PATIENT.last_name not in listing
    detail = registrar.get(f"/django-admin/booking/appointment/{appointment.pk}/change/")
    assert detail.status_code == 200
    assert PATIENT.last_name not in detail.content.decode()
    assert PATIENT.phone not in detail.content.decode()
    revoke_in_admin(registrar, appointment, "revoke_sms_links")
    patient = Client()
    assert_link_gone(patient.get(first))
    assert not SmsDelivery.objects.filter(purpose="booking_new_link").exists()  # a lost phone
    appointment.refresh_from_db()
    second = manage_path(appointment)
    assert patient.get(second).status_code == 200
    revoke_in_admin(registrar, appointment, "revoke_and_text_new_link")
    assert_link_gone(patient.get(second))
    assert patient.get(sms_link("booking_new_link")).status_code == 200


def test_a_guessed_or_tampered_link_shows_the_clear_page(client, doctor, service, free):
    appointment = booked(doctor, service, free[0].start)
    path = manage_path(appointment)
    signed = path.split("/")[-2]
    value, signature = signed.rsplit(":", 1)
    other_version = value.rsplit(".", 1)[0] + ".7"
    for forged in (
        path[:-3] + "xyz/",
        f"/book/manage/{appointment.public_id}/",
        f"/book/manage/{other_version}:{signature}/",  # the version changed, the signature kept
        f"/book/manage/{signing.Signer(salt=links.OFFER_SALT).sign(value)}/",  # another link's
    ):
        assert_link_gone(client.get(forged), status=404)


def test_links_texted_before_versions_work_until_revoked(client, doctor, service, free):
    appointment = booked(doctor, service, free[0].start)
    bare = f"/book/manage/{signing.Signer(salt=links.SALT).sign(str(appointment.public_id))}/"
    assert client.get(bare).status_code == 200
    services.revoke_links(appointment=appointment)
    assert_link_gone(client.get(bare))
