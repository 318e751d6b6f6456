"""Reminders 24 h and 2 h before a visit: once, never cancelled or past, never at night."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connections

import pytest

from booking.models import Appointment, Reminder
from booking.notifications import send_due_reminders
from catalog.models import Branch, Doctor
from integrations.simulators.smsru import SmsRuSimulator
from integrations.sms import get_sms_gateway
from integrations.sms.delivery import apply_status_report, attempt_delivery
from integrations.sms.models import SmsDelivery
from tests.polling import wait_for

MSK = ZoneInfo("Europe/Moscow")


@pytest.fixture
def visit(clinic):
    """A confirmed visit on 2030-03-12 at 12:00 Moscow time."""
    doctor = Doctor.objects.filter(branches__time_zone="Europe/Moscow").first()
    branch = Branch.objects.get(external_id="br-msk")
    start = datetime(2030, 3, 12, 12, 0, tzinfo=MSK)
    return Appointment.objects.create(
        doctor=doctor,
        service=doctor.services.first(),
        branch=branch,
        start=start,
        end=start + timedelta(minutes=30),
        blocked_until=start + timedelta(minutes=35),
        status="confirmed",
        patient_phone="+79990000011",
        patient_last_name="Тестова",
        patient_first_name="Анна",
    )


def test_day_before_reminder_is_sent_once(visit):
    at = visit.start - timedelta(hours=24)
    assert send_due_reminders(now=at - timedelta(minutes=5)) == 0  # not yet
    assert send_due_reminders(now=at) == 1
    assert send_due_reminders(now=at + timedelta(minutes=5)) == 0  # never twice
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.channel) == ("24h", "sms")
    sms = reminder.sms
    assert sms.phone == "+79990000011" and sms.purpose == "reminder_24h"
    assert "Напоминание" in sms.text and "12:00" in sms.text and "/book/manage/" in sms.text


def test_two_hours_before(visit):
    send_due_reminders(now=visit.start - timedelta(hours=24))
    assert send_due_reminders(now=visit.start - timedelta(hours=2)) == 1
    assert sorted(Reminder.objects.values_list("kind", flat=True)) == ["24h", "2h"]
    assert send_due_reminders(now=visit.start - timedelta(minutes=10)) == 0  # too late anyway


def test_two_hour_reminder_is_sent_once(visit):
    """Asked again while the 2-hour reminder is still due, nothing more is sent."""
    assert send_due_reminders(now=visit.start - timedelta(hours=2)) == 1
    for before in (timedelta(hours=1, minutes=55), timedelta(hours=1), timedelta(minutes=21)):
        assert send_due_reminders(now=visit.start - before) == 0, before
    assert list(Reminder.objects.values_list("kind", flat=True)) == ["2h"]
    assert SmsDelivery.objects.filter(purpose="reminder_2h").count() == 1


def test_late_booking_gets_only_the_two_hour_reminder(visit):
    assert send_due_reminders(now=visit.start - timedelta(hours=2, minutes=30)) == 0
    assert send_due_reminders(now=visit.start - timedelta(hours=1, minutes=50)) == 1
    assert list(Reminder.objects.values_list("kind", flat=True)) == ["2h"]


@pytest.mark.parametrize("status", ["cancelled", "rejected", "expired", "held", "awaiting"])
def test_no_reminder_unless_confirmed(visit, status):
    Appointment.objects.filter(pk=visit.pk).update(status=status)
    assert send_due_reminders(now=visit.start - timedelta(hours=24)) == 0


def test_no_reminder_for_a_past_visit(visit):
    assert send_due_reminders(now=visit.start + timedelta(minutes=1)) == 0


def test_quiet_hours_in_the_branch_time_zone(visit, settings):
    early = visit.start.replace(hour=8)  # an 08:00 visit: due at 08:00 the day before
    Appointment.objects.filter(pk=visit.pk).update(
        start=early, end=early + timedelta(minutes=30), blocked_until=early + timedelta(minutes=35)
    )
    settings.BOOKING_QUIET_HOURS = (21, 9)
    assert send_due_reminders(now=early - timedelta(hours=24)) == 0  # 08:00: quiet
    assert send_due_reminders(now=early - timedelta(hours=23)) == 1  # 09:00: sent


def test_yekaterinburg_branch_quiet_hours_use_its_own_clock(clinic, visit, settings):
    start = datetime(2030, 3, 12, 6, 0, tzinfo=MSK)  # 08:00 in Yekaterinburg
    Appointment.objects.filter(pk=visit.pk).update(
        start=start, end=start + timedelta(minutes=30), blocked_until=start + timedelta(minutes=35)
    )
    settings.BOOKING_QUIET_HOURS = (21, 9)
    now = datetime(2030, 3, 11, 7, 30, tzinfo=MSK)  # 09:30 in Yekaterinburg
    assert send_due_reminders(now=now) == 0  # a Moscow branch: still night there
    Appointment.objects.filter(pk=visit.pk).update(branch=Branch.objects.get(external_id="br-ekb"))
    assert send_due_reminders(now=now) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("before", [timedelta(hours=24), timedelta(hours=2)])
def test_two_workers_never_send_twice(visit, before):
    """Four workers released at once: one reminder, one SMS. A worker's error
    (or one that missed the start) fails the test."""
    at = visit.start - before
    barrier = threading.Barrier(4)

    def worker() -> int:
        try:
            barrier.wait(timeout=30)
            return send_due_reminders(now=at)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        running = [pool.submit(worker) for _ in range(4)]
        results = [future.result(timeout=60) for future in running]
    assert sorted(results) == [0, 0, 0, 1]
    assert Reminder.objects.count() == 1
    assert SmsDelivery.objects.filter(purpose__startswith="reminder_").count() == 1


def test_delivery_status_comes_from_the_gateway(visit, settings):
    with SmsRuSimulator(callback_delay=0.1) as gateway:
        settings.SMS_GATEWAY = "smsru"
        settings.SMS_API_URL = gateway.url
        settings.SMS_API_KEY = "simulator-key"
        send_due_reminders(now=visit.start - timedelta(hours=24))
        reminder = Reminder.objects.get()
        attempt_delivery(delivery_id=reminder.sms_id)  # what the send task does
        reminder.sms.refresh_from_db()
        assert reminder.delivery_status == "sent"
        assert gateway.messages[0].phone.endswith("79990000011")
        # The gateway's delivery report is recorded on the reminder's delivery.
        wait_for(lambda: gateway.messages[0].status == "delivered", what="the delivery report")
        report = get_sms_gateway().status(reminder.sms.gateway_message_id)
        apply_status_report(report=report)
        reminder.sms.refresh_from_db()
        assert reminder.delivery_status == "delivered"
