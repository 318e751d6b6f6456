"""The signed link in the SMS: see, cancel or move an appointment without logging in."""

import pytest

from booking import services
from booking.links import manage_path
from booking.models import Appointment
from booking.services import PatientDetails
from integrations import outbox
from integrations.models import OutboxMessage
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
