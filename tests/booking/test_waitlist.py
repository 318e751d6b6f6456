"""The waitlist: a freed time is held for the first in line, who books it from an SMS."""

import re
from datetime import timedelta

from django.utils import timezone

import pytest

from booking import services, waitlist
from booking.models import Appointment, WaitlistEntry
from booking.services import PatientDetails
from integrations import outbox
from integrations.models import OutboxMessage
from integrations.sms.models import SmsDelivery
from tests.consent import CONSENT

BOOKER = PatientDetails(last_name="Занятая", first_name="Ирина", phone="+79990000021")


@pytest.fixture
def taken(doctor, service, free):
    """A confirmed visit that will be cancelled (the time that frees up)."""
    return services.confirm(
        consent=CONSENT,
        appointment=services.hold_slot(doctor=doctor, service=service, start=free[0].start),
        patient=BOOKER,
        write_now=True,
    )


def cancel_in_clinic_and_mis(appointment):
    """Cancel, and let the outbox free the time in the MIS (the worker's job)."""
    services.cancel(appointment=appointment)
    for pk in OutboxMessage.objects.filter(status="pending").values_list("pk", flat=True):
        outbox.deliver(pk)


def join(api_client, **body):
    body.setdefault("consent", True)
    return api_client.post("/api/v1/waitlist/", body, content_type="application/json")


def test_joining_needs_a_doctor_or_specialty_and_a_phone(client, doctor):
    ok = join(
        client, doctor=doctor.pk, phone="+79990000022", last_name="Ждущая", first_name="Ольга"
    )
    assert ok.status_code == 201 and ok.json()["status"] == "waiting"
    neither = join(client, phone="+79990000022", last_name="Ждущая", first_name="Ольга")
    assert neither.status_code == 400 and neither.json()["error"]["code"] == "invalid"
    bad_phone = join(client, doctor=doctor.pk, phone="89990000022", last_name="Ж", first_name="О")
    assert "phone" in bad_phone.json()["error"]["fields"]


def test_the_first_in_line_gets_the_freed_time_held_and_an_sms(
    client, doctor, service, taken, django_capture_on_commit_callbacks
):
    first = waitlist.join(
        consent=CONSENT, doctor=doctor, phone="+79990000022", last_name="Первая", first_name="Ольга"
    )
    second = waitlist.join(
        consent=CONSENT,
        specialty=doctor.specialties.first(),
        phone="+79990000023",
        last_name="Вторая",
        first_name="Вера",
    )
    with django_capture_on_commit_callbacks(execute=True):
        cancel_in_clinic_and_mis(taken)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "offered" and second.status == "waiting"
    offer = first.offer
    assert (offer.status, offer.start, offer.doctor_id) == ("held", taken.start, doctor.pk)
    assert offer.hold_expires_at - timezone.now() > timedelta(minutes=25)
    sms = SmsDelivery.objects.get(purpose="waitlist_offer")
    assert sms.phone == "+79990000022" and "Освободилось" in sms.text
    link = re.search(r"/book/offer/\S+/", sms.text).group(0)

    page = client.get(link)
    assert page.status_code == 200 and doctor.full_name in page.content.decode()
    booked = client.post(link, follow=True)
    assert "Вы записаны" in booked.content.decode()
    first.refresh_from_db()
    offer.refresh_from_db()
    assert first.status == "booked"
    assert offer.status == "confirmed" and offer.patient_phone == "+79990000022"


def test_a_time_later_than_wanted_is_not_offered(
    doctor, service, taken, django_capture_on_commit_callbacks
):
    picky = waitlist.join(
        consent=CONSENT,
        doctor=doctor,
        phone="+79990000024",
        last_name="Ранняя",
        first_name="Анна",
        wanted_before=taken.start - timedelta(hours=1),
    )
    flexible = waitlist.join(
        consent=CONSENT, doctor=doctor, phone="+79990000025", last_name="Гибкая", first_name="Нина"
    )
    with django_capture_on_commit_callbacks(execute=True):
        cancel_in_clinic_and_mis(taken)
    picky.refresh_from_db()
    flexible.refresh_from_db()
    assert (picky.status, flexible.status) == ("waiting", "offered")


def test_an_untaken_offer_goes_to_the_next_in_line(
    doctor, service, taken, django_capture_on_commit_callbacks
):
    first = waitlist.join(
        consent=CONSENT, doctor=doctor, phone="+79990000026", last_name="Первая", first_name="Ольга"
    )
    second = waitlist.join(
        consent=CONSENT, doctor=doctor, phone="+79990000027", last_name="Вторая", first_name="Вера"
    )
    with django_capture_on_commit_callbacks(execute=True):
        cancel_in_clinic_and_mis(taken)
    first.refresh_from_db()
    later = first.offer.hold_expires_at + timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.expire_holds(now=later)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "closed"
    assert second.status == "offered" and second.offer.start == taken.start


def test_a_forged_or_stale_offer_link(client, doctor, taken, django_capture_on_commit_callbacks):
    assert client.get("/book/offer/forged:abc/").status_code == 404
    entry = waitlist.join(
        consent=CONSENT, doctor=doctor, phone="+79990000028", last_name="Т", first_name="Т"
    )
    with django_capture_on_commit_callbacks(execute=True):
        cancel_in_clinic_and_mis(taken)
    entry.refresh_from_db()
    Appointment.objects.filter(pk=entry.offer_id).update(
        hold_expires_at=timezone.now() - timedelta(seconds=1)
    )
    page = client.get(waitlist.offer_path(entry))
    assert page.status_code == 410 and "больше не действует" in page.content.decode()
    assert doctor.full_name not in page.content.decode()
    assert client.post(waitlist.offer_path(entry)).status_code == 410
    assert WaitlistEntry.objects.get(pk=entry.pk).status == "offered"


def test_a_taken_offers_link_no_longer_leads_to_the_booking(
    client, doctor, taken, django_capture_on_commit_callbacks
):
    entry = waitlist.join(
        consent=CONSENT, doctor=doctor, phone="+79990000030", last_name="Взявшая", first_name="Т"
    )
    with django_capture_on_commit_callbacks(execute=True):
        cancel_in_clinic_and_mis(taken)
    entry.refresh_from_db()
    link = waitlist.offer_path(entry)
    assert client.post(link)["Location"].startswith("/book/manage/")
    for again in (client.post(link), client.get(link)):
        # the booking's own manage link comes by SMS; the offer's is spent
        assert again.status_code == 410 and "Location" not in again
        assert "Взявшая" not in again.content.decode()
        assert doctor.full_name not in again.content.decode()


def test_the_time_is_offered_only_once_the_mis_has_freed_it(
    doctor, taken, django_capture_on_commit_callbacks
):
    entry = waitlist.join(
        consent=CONSENT, doctor=doctor, phone="+79990000029", last_name="Т", first_name="Т"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(appointment=taken)
    entry.refresh_from_db()
    assert entry.status == "waiting"  # the MIS still holds the visit
    with django_capture_on_commit_callbacks(execute=True):
        for pk in OutboxMessage.objects.filter(status="pending").values_list("pk", flat=True):
            outbox.deliver(pk)
    entry.refresh_from_db()
    assert entry.status == "offered"
