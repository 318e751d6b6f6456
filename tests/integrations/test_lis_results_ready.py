"""A new lab report tells the patient: through the cabinet (its notification
list and the channels they chose) when they have an account, else by SMS."""

import pytest

from cabinet.accounts.models import Patient, User
from cabinet.notifications.models import Notification, NotificationPreference
from integrations.lis.signals import lab_report_arrived
from integrations.sms.models import SmsDelivery

pytestmark = pytest.mark.django_db


def arrived(patient) -> None:
    lab_report_arrived.send(sender=None, patient=patient, report=None)


def test_an_account_holder_gets_a_cabinet_notification_by_their_channels():
    user = User.objects.create_user("lis-patient", password="x", phone="+79990000081")
    patient = Patient.objects.create(
        mis_id="pt-lis-1", account=user, last_name="Лабораторная", first_name="Ия"
    )
    arrived(patient)
    assert Notification.objects.get(user=user).kind == "results_ready"
    assert [s.purpose for s in SmsDelivery.objects.filter(phone=user.phone)] == [
        "notify_results_ready"
    ]

    NotificationPreference.objects.create(user=user, kind="results_ready", sms=False)
    arrived(patient)
    assert Notification.objects.filter(user=user).count() == 2
    assert SmsDelivery.objects.filter(phone=user.phone).count() == 1  # SMS turned off


def test_a_patient_without_an_account_gets_the_sms_alone():
    patient = Patient.objects.create(
        mis_id="pt-lis-2", last_name="Лабораторный", first_name="Ян", phone="+79990000082"
    )
    arrived(patient)
    assert not Notification.objects.exists()
    assert [s.purpose for s in SmsDelivery.objects.filter(phone=patient.phone)] == ["lab_results"]
