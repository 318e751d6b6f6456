"""A booking the MIS did not take at confirmation goes to a real Celery worker,
which waits for the backoff and then writes it."""

from django.utils import timezone

import pytest

from booking.models import Appointment
from integrations.models import OutboxMessage
from tests.polling import wait_for

PATIENT = {"last_name": "Тестов", "first_name": "Пётр", "phone": "+79990000004"}


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_write_refused_at_confirmation_is_written_by_a_worker_after_its_backoff(
    client, doctor, service, free, settings, celery_worker
):
    settings.BOOKING_GUEST_PHONE_CODE = False
    log = celery_worker("mis", env={"MIS_DEMO_STORE": settings.MIS_DEMO_STORE})
    settings.MIS_DEMO_OUTAGE = True  # in this process only: the worker's MIS is up
    held = client.post(
        "/api/v1/holds/",
        {"doctor": doctor.pk, "service": service.pk, "start": free[0].start.isoformat()},
        content_type="application/json",
    ).json()
    answer = client.post(
        f"/api/v1/appointments/{held['id']}/confirm/",
        {"token": held["token"], "patient": PATIENT, "consent": True},
        content_type="application/json",
    )
    assert answer.status_code == 202 and answer.json()["status"] == "awaiting"
    message = OutboxMessage.objects.get()
    assert message.attempts == 1 and message.next_attempt_at > timezone.now()
    due = message.next_attempt_at

    def delivered():
        message.refresh_from_db()
        return message.status == OutboxMessage.Status.DELIVERED

    wait_for(delivered, seconds=60, what="the worker to write it", log=log, every=0.3)
    assert message.attempts == 2 and message.delivered_at >= due  # not before its backoff
    assert Appointment.objects.get(public_id=held["id"]).status == "confirmed"
