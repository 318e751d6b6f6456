"""Notifications: stored, listed, sent only through the channels the patient keeps;
booking's reminders honour the same preferences."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core import mail

import pytest

from booking.models import Appointment, Reminder
from booking.notifications import send_due_reminders
from cabinet.notifications.models import Notification
from cabinet.notifications.services import notify, set_preferences
from catalog.models import Branch, Doctor
from integrations.sms.models import SmsDelivery
from tests.booking.conftest import clinic, mis  # noqa: F401 (fixtures)
from tests.cabinet.conftest import verified_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(patient_user):
    patient_user.email = "patient@example.invalid"
    patient_user.save()
    return patient_user


def test_notify_stores_and_sends_through_both_channels_by_default(
    patient, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(patient, "results_ready", "Готовы результаты анализов.")
    assert Notification.objects.get().text == "Готовы результаты анализов."
    sms = SmsDelivery.objects.get()
    assert sms.phone == "+79990000001" and sms.purpose == "notify_results_ready"
    assert [m.to for m in mail.outbox] == [["patient@example.invalid"]]


def test_notify_respects_channel_preferences_per_kind(patient, django_capture_on_commit_callbacks):
    set_preferences(
        patient,
        {"results_ready": {"sms": False, "email": True}, "follow_up_due": {"sms": True}},
    )
    with django_capture_on_commit_callbacks(execute=True):
        notify(patient, "results_ready", "Результаты.")
        notify(patient, "follow_up_due", "Пора на повторный приём.")
    assert list(SmsDelivery.objects.values_list("purpose", flat=True)) == ["notify_follow_up_due"]
    assert len(mail.outbox) == 1 and mail.outbox[0].body == "Результаты."
    assert Notification.objects.count() == 2  # the cabinet lists both anyway


def test_list_and_preferences_pages(client, patient):
    notify(patient, "other", "Клиника работает 1 мая.")
    verified_login(client, patient)
    page = client.get("/cabinet/notifications/").content.decode()
    assert "Клиника работает 1 мая." in page
    assert Notification.objects.get().read_at is not None
    client.post("/cabinet/notifications/settings/", {"reminder-email": "on"})
    notify(patient, "reminder", "Напоминание.")
    assert not SmsDelivery.objects.filter(purpose="notify_reminder").exists()
    with pytest.raises(ValueError):
        notify(patient, "spam", "?")


@pytest.fixture
def visit(clinic, patient):  # noqa: F811
    doctor = Doctor.objects.filter(branches__time_zone="Europe/Moscow").first()
    start = datetime(2030, 3, 12, 12, 0, tzinfo=ZoneInfo("Europe/Moscow"))
    return Appointment.objects.create(
        doctor=doctor,
        service=doctor.services.first(),
        branch=Branch.objects.get(external_id="br-msk"),
        start=start,
        end=start + timedelta(minutes=30),
        blocked_until=start + timedelta(minutes=35),
        status="confirmed",
        patient=patient,
        patient_phone="+79990000001",
        patient_last_name="Демонстрационная",
        patient_first_name="Пациентка",
    )


def test_booking_reminders_honour_the_patients_channels(visit, patient):
    set_preferences(patient, {"reminder": {"sms": False, "email": True}})
    now = visit.start - timedelta(hours=23)
    assert send_due_reminders(now=now) == 1
    assert list(Reminder.objects.values_list("channel", flat=True)) == [Reminder.Channel.EMAIL]
    assert not SmsDelivery.objects.exists()


def test_booking_reminders_by_default_go_by_sms_and_email(visit):
    assert send_due_reminders(now=visit.start - timedelta(hours=23)) == 2
    assert SmsDelivery.objects.filter(purpose__startswith="reminder").count() == 1
