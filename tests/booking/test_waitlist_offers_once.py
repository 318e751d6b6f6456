"""A freed time is offered once: a cancellation the outbox delivers again (a
worker retried after a crash, a sweeper and a worker) offers nothing more."""

import pytest

from booking import services, waitlist
from booking.models import WaitlistEntry
from booking.services import PatientDetails
from integrations import outbox
from integrations.models import OutboxMessage
from integrations.sms.models import SmsDelivery
from tests.consent import CONSENT

BOOKER = PatientDetails(last_name="Отменная", first_name="Дарья", phone="+79990000031")


@pytest.mark.django_db
def test_a_cancellation_delivered_again_offers_the_time_to_nobody_else(
    doctor, service, free, django_capture_on_commit_callbacks
):
    taken = services.confirm(
        consent=CONSENT,
        appointment=services.hold_slot(doctor=doctor, service=service, start=free[0].start),
        patient=BOOKER,
        write_now=True,
    )
    first, second = (
        waitlist.join(
            consent=CONSENT, doctor=doctor, phone=phone, last_name="Ждущая", first_name=name
        )
        for phone, name in (("+79990000032", "Ольга"), ("+79990000033", "Вера"))
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(appointment=taken)
    cancellation = OutboxMessage.objects.get(topic="mis.cancel")
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.deliver(cancellation.pk) == "delivered"
    first.refresh_from_db()
    assert first.status == WaitlistEntry.Status.OFFERED

    with django_capture_on_commit_callbacks(execute=True):
        outbox.deliver(cancellation.pk)  # delivered again

    second.refresh_from_db()
    assert second.status == WaitlistEntry.Status.WAITING
    assert SmsDelivery.objects.filter(purpose="waitlist_offer").count() == 1
    cancellation.refresh_from_db()
    assert cancellation.attempts == 1
