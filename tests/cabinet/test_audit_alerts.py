"""The audit log's anomaly alerts: each detector fires on its pattern and not
below its threshold, names the records behind it, never alerts twice for one
window, emails the security officer and shows in the Wagtail admin to the
officer only."""

import re
from datetime import UTC, datetime, timedelta

from django.contrib.auth import authenticate
from django.contrib.auth.models import Permission
from django.core import mail
from django.utils import timezone

import pytest

from cabinet.audit.alerts import run_detectors
from cabinet.audit.models import AuditAlert, AuditRecord
from cabinet.audit.officers import ensure_security_officers_group
from cabinet.audit.services import Actor, write_audit
from cabinet.staff.models import StaffProfile
from clinic_site.celery import app as celery_app
from integrations.sms.services import send_sms
from tests.cabinet.conftest import verified_staff_login
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

# A Tuesday; Moscow is UTC+3 all year.
TUESDAY_NOON_UTC = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
OFFICER_EMAIL = "officer@example.invalid"


@pytest.fixture(autouse=True)
def thresholds(settings):
    settings.TIME_ZONE = "Europe/Moscow"
    settings.AUDIT_WORKING_HOURS = "08:00-21:00"
    settings.AUDIT_WORKING_DAYS = [1, 2, 3, 4, 5, 6]
    settings.AUDIT_ALERT_PATIENTS_PER_STAFF = 5
    settings.AUDIT_ALERT_PATIENTS_MINUTES = 10
    settings.AUDIT_ALERT_FAILED_LOGINS = 6
    settings.AUDIT_ALERT_FAILED_LOGIN_ACCOUNTS = 3
    settings.AUDIT_ALERT_FAILED_LOGIN_MINUTES = 15
    settings.AUDIT_ALERT_SMS_PER_HOUR = 5
    settings.SECURITY_OFFICER_EMAILS = []
    return settings


def staff(role=StaffProfile.Role.ATTENDING, **kwargs):
    user = UserFactory(first_name="Врач", last_name="Тестовый", is_staff=True, **kwargs)
    StaffProfile.objects.create(user=user, role=role)
    return user


def read(user, patient, time_machine, at):
    time_machine.move_to(at, tick=False)
    return write_audit(
        actor=Actor(user=user, role=user.staff_profile.role, ip="198.51.100.4"),
        patient=patient,
        object_type="medical_card",
    )


def detect(time_machine, at):
    time_machine.move_to(at, tick=False)
    return run_detectors(now=timezone.now())


def test_opening_many_patients_cards_alerts_once_and_names_the_records(time_machine):
    doctor = staff()
    patients = PatientFactory.create_batch(5)
    start = TUESDAY_NOON_UTC
    records = [
        read(doctor, patients[i], time_machine, start + timedelta(minutes=i)) for i in range(4)
    ]
    records.append(read(doctor, patients[0], time_machine, start + timedelta(minutes=4)))
    assert detect(time_machine, start + timedelta(minutes=5)) == []  # 4 patients, 5 reads

    records.append(read(doctor, patients[4], time_machine, start + timedelta(minutes=6)))
    [alert] = detect(time_machine, start + timedelta(minutes=7))
    assert alert.kind == AuditAlert.Kind.MANY_PATIENTS
    assert alert.actor == doctor and alert.window_start == start
    assert set(alert.records.values_list("pk", flat=True)) == {r.pk for r in records}
    assert "5" in alert.summary and "Врач Тестовый" in alert.summary

    late = read(doctor, patients[1], time_machine, start + timedelta(minutes=8))
    assert detect(time_machine, start + timedelta(minutes=12)) == []  # the same window
    assert AuditAlert.objects.count() == 1
    assert alert.records.filter(pk=late.pk).exists()


def test_many_patients_spread_over_more_than_the_window_do_not_alert(time_machine):
    doctor = staff()
    for i, patient in enumerate(PatientFactory.create_batch(5)):
        read(doctor, patient, time_machine, TUESDAY_NOON_UTC + timedelta(minutes=3 * i))
    assert detect(time_machine, TUESDAY_NOON_UTC + timedelta(minutes=13)) == []


def test_patients_reading_their_own_data_never_count_as_staff(time_machine):
    for patient in PatientFactory.create_batch(6):
        account = UserFactory()
        time_machine.move_to(TUESDAY_NOON_UTC, tick=False)
        write_audit(actor=Actor(user=account, role="patient"), patient=patient, object_type="card")
    assert detect(time_machine, TUESDAY_NOON_UTC + timedelta(minutes=1)) == []


def test_reads_outside_working_hours_use_the_clinics_time_zone(settings, time_machine):
    settings.SECURITY_OFFICER_EMAILS = [OFFICER_EMAIL]
    doctor, patient = staff(), PatientFactory()
    # 05:30 UTC is 08:30 in Moscow: working hours there (not in UTC).
    read(doctor, patient, time_machine, datetime(2026, 12, 1, 5, 30, tzinfo=UTC))
    assert detect(time_machine, datetime(2026, 12, 1, 5, 31, tzinfo=UTC)) == []

    # 19:30 UTC is 22:30 in Moscow: after closing there (not in UTC).
    night = read(doctor, patient, time_machine, datetime(2026, 12, 1, 19, 30, tzinfo=UTC))
    [alert] = detect(time_machine, datetime(2026, 12, 1, 19, 35, tzinfo=UTC))
    assert alert.kind == AuditAlert.Kind.OFF_HOURS
    # From Tuesday's closing to Wednesday's opening, Moscow time.
    assert alert.window_start == datetime(2026, 12, 1, 18, 0, tzinfo=UTC)
    assert alert.window_end == datetime(2026, 12, 2, 5, 0, tzinfo=UTC)

    later = read(doctor, patient, time_machine, datetime(2026, 12, 1, 22, 0, tzinfo=UTC))
    assert detect(time_machine, datetime(2026, 12, 1, 22, 5, tzinfo=UTC)) == []
    assert list(alert.records.order_by("pk")) == [night, later]
    assert "2" in AuditAlert.objects.get().summary
    assert len(mail.outbox) == 1  # the same night: one alert, one email


def test_a_read_on_a_day_off_alerts(time_machine):
    read(staff(), PatientFactory(), time_machine, datetime(2026, 12, 6, 9, 0, tzinfo=UTC))
    [alert] = detect(time_machine, datetime(2026, 12, 6, 9, 5, tzinfo=UTC))  # a Sunday noon
    assert alert.kind == AuditAlert.Kind.OFF_HOURS
    assert alert.window_start == datetime(2026, 12, 5, 18, 0, tzinfo=UTC)  # Saturday 21:00
    assert alert.window_end == datetime(2026, 12, 7, 5, 0, tzinfo=UTC)  # Monday 08:00


def fail_logins(rf, usernames, ip):
    for username in usernames:
        request = rf.post("/cabinet/login/", REMOTE_ADDR=ip)
        assert authenticate(request, username=username, password="wrong-Secret-1") is None


def test_failed_logins_are_audited_without_the_password_or_an_unknown_name(rf, time_machine):
    known = UserFactory(username="+79990001111")
    time_machine.move_to(TUESDAY_NOON_UTC, tick=False)
    fail_logins(rf, [known.username, "my-Password-2026"], "203.0.113.9")
    records = AuditRecord.objects.filter(action=AuditRecord.Action.LOGIN_FAILED).order_by("pk")
    assert [(r.ip, r.patient_id, r.object_type) for r in records] == [
        ("203.0.113.9", None, "account"),
        ("203.0.113.9", None, "account"),
    ]
    assert records[0].object_id == str(known.pk)
    assert records[1].object_id.startswith("name:")
    stored = str(list(records.values()))
    assert "my-Password-2026".casefold() not in stored.casefold()
    assert "wrong-Secret-1" not in stored


def test_failed_logins_across_accounts_from_one_address_alert(rf, time_machine):
    accounts = [UserFactory().username for _ in range(3)]
    time_machine.move_to(TUESDAY_NOON_UTC, tick=False)
    fail_logins(rf, accounts * 3, "203.0.113.9")  # 9 failures, 3 accounts
    fail_logins(rf, accounts[:2] * 5, "203.0.113.10")  # 10 failures, 2 accounts
    fail_logins(rf, accounts * 1 + accounts[:2], "203.0.113.11")  # 5 failures, 3 accounts
    [alert] = detect(time_machine, TUESDAY_NOON_UTC + timedelta(minutes=1))
    assert (alert.kind, alert.ip, alert.subject) == (
        AuditAlert.Kind.FAILED_LOGINS,
        "203.0.113.9",
        "ip:203.0.113.9",
    )
    assert alert.records.count() == 9
    assert "203.0.113.9" in alert.summary
    assert detect(time_machine, TUESDAY_NOON_UTC + timedelta(minutes=6)) == []


def test_a_burst_of_sms_alerts_and_names_the_messages(time_machine):
    time_machine.move_to(TUESDAY_NOON_UTC, tick=False)
    sent = [send_sms(to="+79990002222", text="Код 123456", purpose="login_code") for _ in range(4)]
    assert detect(time_machine, TUESDAY_NOON_UTC + timedelta(minutes=30)) == []
    sent.append(send_sms(to="+79990003333", text="Код 654321", purpose="login_code"))
    [alert] = detect(time_machine, TUESDAY_NOON_UTC + timedelta(minutes=31))
    assert alert.kind == AuditAlert.Kind.SMS_BURST
    assert alert.sms_ids == sorted(s.pk for s in sent)
    assert detect(time_machine, TUESDAY_NOON_UTC + timedelta(minutes=40)) == []


def test_the_officer_is_emailed_the_records_not_the_medical_data(settings, time_machine):
    settings.SECURITY_OFFICER_EMAILS = [OFFICER_EMAIL]
    doctor = staff()
    patients = PatientFactory.create_batch(5, last_name="Секретова")
    records = [read(doctor, p, time_machine, TUESDAY_NOON_UTC) for p in patients]
    [alert] = detect(time_machine, TUESDAY_NOON_UTC + timedelta(minutes=1))
    [message] = mail.outbox
    assert message.to == [OFFICER_EMAIL]
    assert re.search(rf"[#№] ?{alert.pk}\b", message.subject), message.subject
    for record in records:
        assert f"#{record.pk} " in message.body
    assert "medical_card" in message.body and f"/admin/audit-alerts/{alert.pk}/" in message.body
    assert "Секретова" not in message.body
    detect(time_machine, TUESDAY_NOON_UTC + timedelta(minutes=6))
    assert len(mail.outbox) == 1
    assert AuditAlert.objects.get().emailed_at is not None


def test_without_an_officer_nothing_is_mailed_and_the_alert_waits(time_machine):
    doctor = staff()
    for patient in PatientFactory.create_batch(5):
        read(doctor, patient, time_machine, TUESDAY_NOON_UTC)
    assert len(detect(time_machine, TUESDAY_NOON_UTC + timedelta(minutes=1))) == 1
    assert mail.outbox == []
    assert AuditAlert.objects.get().emailed_at is None


@pytest.fixture
def alert(time_machine):
    doctor = staff()
    for patient in PatientFactory.create_batch(5):
        read(doctor, patient, time_machine, TUESDAY_NOON_UTC)
    [alert] = detect(time_machine, TUESDAY_NOON_UTC + timedelta(minutes=1))
    time_machine.move_to(timezone.now(), tick=True)
    return alert


def test_the_officer_sees_the_alert_with_its_records_and_acknowledges_it(client, alert):
    officer = UserFactory(username="officer", is_staff=True)
    officer.groups.add(ensure_security_officers_group())
    verified_staff_login(client, officer)
    assert '"/admin/audit-alerts/"' in client.get("/admin/").content.decode()
    listing = client.get("/admin/audit-alerts/").content.decode()
    assert f'data-alert="{alert.pk}"' in listing

    page = client.get(f"/admin/audit-alerts/{alert.pk}/").content.decode()
    for record_id in alert.records.values_list("pk", flat=True):
        assert f'data-record="{record_id}"' in page
    response = client.post(f"/admin/audit-alerts/{alert.pk}/", {"note": "Проверено: приём."})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert (alert.acknowledged_by, alert.note) == (officer, "Проверено: приём.")
    assert alert.acknowledged_at is not None


@pytest.mark.parametrize("role", [StaffProfile.Role.ATTENDING, StaffProfile.Role.REGISTRAR])
def test_staff_without_the_permission_are_refused(client, alert, role):
    user = staff(role=role)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    verified_staff_login(client, user)
    assert client.get("/admin/").status_code == 200  # the admin opens for them
    assert '"/admin/audit-alerts/"' not in client.get("/admin/").content.decode()
    for url in ("/admin/audit-alerts/", f"/admin/audit-alerts/{alert.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url == "/admin/", url
    client.post(f"/admin/audit-alerts/{alert.pk}/", {"note": "x"})
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_beat_runs_the_detectors_task_which_raises_each_alert_once(time_machine):
    celery_app.loader.import_default_modules()
    tasks = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    assert "cabinet.audit.tasks.detect_anomalies" in tasks
    doctor = staff()
    for patient in PatientFactory.create_batch(5):
        read(doctor, patient, time_machine, TUESDAY_NOON_UTC)
    time_machine.move_to(TUESDAY_NOON_UTC + timedelta(minutes=1), tick=False)
    task = celery_app.tasks["cabinet.audit.tasks.detect_anomalies"]
    assert [task.apply().get(), task.apply().get()] == [1, 0]
