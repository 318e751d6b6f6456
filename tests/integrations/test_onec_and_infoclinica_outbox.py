"""Booking through the site against Инфоклиника and 1С:Медицина: 20 bookings through an
outage reach the MIS exactly once, with slots computed by that MIS's own slot policy.

The same drill as test_outbox_outage.py (МЕДИАЛОГ): the MIS answers 503, then
nobody listens, then it is so slow that our calls time out after it wrote.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.utils import timezone

import pytest

from booking import services
from booking.models import Appointment
from integrations import outbox
from integrations.mis import get_mis_adapter
from integrations.mis.sync import run_mis_sync
from integrations.models import OutboxMessage
from integrations.simulators.infoclinica import InfoclinicaSimulator
from integrations.simulators.onec import ROOT as ONEC_ROOT
from integrations.simulators.onec import OnecSimulator
from tests.consent import CONSENT
from tests.integrations.test_outbox_outage import PATIENT, twenty_slots
from tests.polling import wait_for

pytestmark = pytest.mark.django_db
TIMEOUT = 1.0


def _infoclinica(settings, tmp_path):
    simulator = InfoclinicaSimulator(store=tmp_path / "infoclinica.sqlite3").start()
    settings.MIS_ADAPTER = "infoclinica"
    settings.INFOCLINICA_URL = simulator.url
    settings.INFOCLINICA_CLIENT_ID = "site"
    settings.INFOCLINICA_CLIENT_KEY = "infoclinica"
    settings.INFOCLINICA_TIMEOUT = TIMEOUT
    return simulator


def _onec(settings, tmp_path):
    simulator = OnecSimulator(store=tmp_path / "onec.sqlite3").start()
    settings.MIS_ADAPTER = "onec"
    settings.ONEC_URL = simulator.url + ONEC_ROOT
    settings.ONEC_USER = "site"
    settings.ONEC_PASSWORD = "onec"  # noqa: S105 - the simulator's demo login
    settings.ONEC_TIMEOUT = TIMEOUT
    return simulator


@pytest.fixture(params=["infoclinica", "onec"])
def mis(request, settings, tmp_path):
    simulator = {"infoclinica": _infoclinica, "onec": _onec}[request.param](settings, tmp_path)
    settings.BOOKING_MAX_ACTIVE_PER_SPECIALTY = 100
    settings.BOOKING_MAX_HOLDS_PER_PHONE_HOUR = 100
    settings.CIRCUIT_FAILURES = 1000
    run_mis_sync(adapter=get_mis_adapter(), days=7)
    yield simulator
    simulator.close()


def test_twenty_bookings_through_an_outage_reach_the_mis_exactly_once(mis):
    slots = twenty_slots()
    appointments = []
    for n, slot in enumerate(slots):
        if n == 5:
            mis.set_outage("503")
        elif n == 10:
            mis.set_outage("refused")
        elif n == 15:
            mis.set_outage("")
            mis.knobs.latency = TIMEOUT * 2.5  # it writes, but answers too late
        held = services.hold_slot(doctor=slot.doctor, service=slot.service, start=slot.start)
        appointments.append(
            services.confirm(consent=CONSENT, appointment=held, patient=PATIENT, write_now=True)
        )

    assert [a.status for a in appointments[:5]] == ["confirmed"] * 5
    assert all(a.status == "awaiting" for a in appointments[5:])

    mis.knobs.latency = 0.0
    # The slow calls our side gave up on finish on the MIS side (writing, some of them).
    wait_for(lambda: mis.in_flight == 0, TIMEOUT * 10, "the slow calls to finish")
    OutboxMessage.objects.filter(status="pending").update(next_attempt_at=timezone.now())
    for message_id in outbox.due_messages():
        assert outbox.deliver(message_id) == "delivered"
    for appointment in appointments:
        appointment.refresh_from_db()
    assert [a.status for a in appointments] == ["confirmed"] * 20
    assert len({a.mis_appointment_id for a in appointments}) == 20

    window_start = datetime.combine(
        slots[0].start.date() - timedelta(days=1), datetime.min.time(), UTC
    )
    booked = mis.mis._store.booked(window_start, window_start + timedelta(days=10))
    assert sorted((b.doctor_id, b.start) for b in booked) == sorted(
        (s.doctor.external_id, s.start) for s in slots
    )
    for message in OutboxMessage.objects.all():
        assert outbox.deliver(message.pk) == "delivered"
    assert len(mis.mis._store.booked(window_start, window_start + timedelta(days=10))) == 20
    assert Appointment.objects.filter(status="confirmed").count() == 20
