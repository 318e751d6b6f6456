"""The MIS goes down during 20 bookings, comes back, and all 20 reach it exactly once.

Real SOAP: the МЕДИАЛОГ adapter against its simulator over HTTP, the outbox
on PostgreSQL. The outage has three shapes in a row: the MIS answers 503,
nobody listens, and the MIS is so slow that our call times out after it has
written the booking (the answer is lost; the retry must not book twice).
"""

from datetime import UTC, datetime, timedelta

from django.utils import timezone

import pytest

from booking import services
from booking.models import Appointment
from booking.selectors import default_service, next_free_slots
from catalog.models import Doctor
from integrations import outbox
from integrations.mis import get_mis_adapter
from integrations.mis.sync import run_mis_sync
from integrations.models import OutboxMessage
from integrations.simulators.medialog import MedialogSimulator
from tests.consent import CONSENT
from tests.polling import wait_for

pytestmark = pytest.mark.django_db
PATIENT = services.PatientDetails(last_name="Тестов", first_name="Иван", phone="+79990000041")
TIMEOUT = 1.0


@pytest.fixture
def medialog(settings, tmp_path):
    simulator = MedialogSimulator(store=tmp_path / "medialog.sqlite3").start()
    settings.MIS_ADAPTER = "medialog"
    settings.MEDIALOG_URL = simulator.url
    settings.MEDIALOG_USER = "medialog"
    settings.MEDIALOG_PASSWORD = "medialog"  # noqa: S105 - the simulator's demo login
    settings.MEDIALOG_TIMEOUT = TIMEOUT
    settings.BOOKING_MAX_ACTIVE_PER_SPECIALTY = 100
    settings.BOOKING_MAX_HOLDS_PER_PHONE_HOUR = 100
    # Every call must reach the simulator here (test_circuit.py covers the breaker).
    settings.CIRCUIT_FAILURES = 1000
    run_mis_sync(adapter=get_mis_adapter(), days=7)
    yield simulator
    simulator.stop()


def twenty_slots():
    """20 free times of different doctors from tomorrow (none overlaps another)."""
    tomorrow = timezone.now() + timedelta(days=1)
    chosen = []
    for doctor in Doctor.objects.order_by("pk"):
        service = default_service(doctor)
        slots = next_free_slots(doctor=doctor, service=service, now=tomorrow, limit=1)
        if slots:
            chosen.append(slots[0])
        if len(chosen) == 20:
            return chosen
    raise AssertionError("not enough doctors with free time")


def booked_in(simulator, slots) -> list:
    """What the simulated MIS's appointment book holds around these slots."""
    first = datetime.combine(slots[0].start.date() - timedelta(days=1), datetime.min.time(), UTC)
    return simulator.mis._store.booked(first, first + timedelta(days=10))


def test_twenty_bookings_through_an_outage_reach_the_mis_exactly_once(medialog):
    slots = twenty_slots()
    appointments = []
    for n, slot in enumerate(slots):
        if n == 5:
            medialog.set_outage("503")
        elif n == 10:
            medialog.set_outage("refused")
        elif n == 15:
            medialog.set_outage(None)
            medialog.knobs.latency = TIMEOUT * 2.5  # it books, but answers too late
        held = services.hold_slot(doctor=slot.doctor, service=slot.service, start=slot.start)
        appointments.append(
            services.confirm(consent=CONSENT, appointment=held, patient=PATIENT, write_now=True)
        )

    assert [a.status for a in appointments[:5]] == ["confirmed"] * 5
    assert all(a.status == "awaiting" for a in appointments[5:])  # nothing lost, all waiting

    # The MIS is back. The worker delivers what is due (backoff waits skipped here).
    medialog.knobs.latency = 0.0
    # The slow calls our side gave up on finish on the MIS side (writing, some of them).
    wait_for(lambda: medialog.in_flight == 0, TIMEOUT * 10, "the slow calls to finish")
    OutboxMessage.objects.filter(status="pending").update(next_attempt_at=timezone.now())
    for message_id in outbox.due_messages():
        assert outbox.deliver(message_id) == "delivered"
    for appointment in appointments:
        appointment.refresh_from_db()
    assert [a.status for a in appointments] == ["confirmed"] * 20
    assert len({a.mis_appointment_id for a in appointments}) == 20

    # Exactly once in the MIS: 20 bookings at our 20 times, no duplicates —
    # although five of them were written twice over the wire.
    booked = booked_in(medialog, slots)
    assert sorted((b.doctor_id, b.start) for b in booked) == sorted(
        (s.doctor.external_id, s.start) for s in slots
    )
    # A repeated delivery changes nothing.
    for message in OutboxMessage.objects.all():
        assert outbox.deliver(message.pk) == "delivered"
    assert len(booked_in(medialog, slots)) == 20
    assert Appointment.objects.filter(status="confirmed").count() == 20
