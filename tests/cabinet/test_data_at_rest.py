"""What the cabinet stores of requests, notifications, lab results, documents
and second-factor seeds is encrypted (a database reader gets tokens, and no
seed a login code can be computed from); the registrar still finds requests."""

import binascii
import contextlib
import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal

from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings

import pytest
from cryptography.fernet import Fernet
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from two_factor.plugins.phonenumber.models import PhoneDevice

from booking.models import Appointment
from cabinet.accounts.models import LinkRequest
from cabinet.notifications.services import notify
from cabinet.proxies.models import ProxyAccess, ProxyRequest
from cabinet.records.services import save_document, save_lab_report
from clinic_site.crypto import encrypt_text
from integrations import ports
from integrations.sms.models import SmsDelivery
from integrations.sms.services import send_sms
from tests.cabinet.conftest import make_patient, verified_staff_login
from tests.factories import UserFactory
from tests.raw_rows import assert_stored_encrypted, raw_value

pytestmark = pytest.mark.django_db

ISSUED = datetime(2025, 3, 3, 8, tzinfo=UTC)


def _link_request(user, *, phone: str, last_name: str) -> LinkRequest:
    return LinkRequest.objects.create(
        user=user,
        phone=phone,
        last_name=last_name,
        first_name="Анна",
        birth_date=date(1990, 5, 17),
        reason=LinkRequest.Reason.NOT_FOUND,
        note="Паспорт проверен",
    )


def test_link_and_proxy_requests_are_encrypted_and_the_registrar_finds_them(admin_user):
    user = UserFactory()
    link = _link_request(user, phone="+79990000041", last_name="Найдёнова")
    _link_request(UserFactory(), phone="+79990000042", last_name="Другая")
    assert_stored_encrypted(
        link,
        phone="+79990000041",
        last_name="Найдёнова",
        first_name="Анна",
        birth_date=date(1990, 5, 17),
        note="Паспорт проверен",
    )
    proxy = ProxyRequest.objects.create(
        parent=user,
        last_name="Малышева",
        first_name="Алиса",
        birth_date=date(2019, 2, 1),
        document_note="Свидетельство о рождении II-АБ 000000",
    )
    assert_stored_encrypted(
        proxy,
        last_name="Малышева",
        first_name="Алиса",
        birth_date=date(2019, 2, 1),
        document_note="Свидетельство о рождении II-АБ 000000",
    )
    child = make_patient(username="child", phone="+79990000043", mis_id="pt-x-1").patient
    grant = ProxyAccess.objects.create(parent=user, child=child, document_note="Свидетельство")
    assert_stored_encrypted(grant, document_note="Свидетельство")

    registrar = Client()
    verified_staff_login(registrar, admin_user)
    changelist = "/django-admin/cabinet/linkrequest/"
    for term in ("+79990000041", "найденова", " Найдёнова "):
        page = registrar.get(changelist, {"q": term}).content.decode()
        assert "Найдёнова" in page and "Другая" not in page, term
    assert "Найдёнова" not in registrar.get(changelist, {"q": "Найдён"}).content.decode()
    listed = registrar.get(changelist).content.decode()
    assert "Найдёнова" in listed and "Другая" in listed


def test_notifications_and_their_sms_are_encrypted():
    user = make_patient()
    text = "Пора на повторный приём к онкологу"
    notification = notify(user, "follow_up_due", text)
    assert_stored_encrypted(notification, text=text)
    sms = SmsDelivery.objects.get(purpose="notify_follow_up_due")
    assert_stored_encrypted(sms, text=text, phone=user.phone)


def test_lab_results_and_documents_are_encrypted(patient_a):
    report, _ = save_lab_report(
        patient=patient_a,
        report=ports.LabReport(
            external_id="lr-hiv",
            patient_id=patient_a.mis_id,
            title="Антитела к ВИЧ",
            collected_at=ISSUED,
            issued_at=ISSUED,
            observations=(
                ports.Observation(
                    code="7917-8",
                    name="Антитела к ВИЧ-1/2",
                    value="0,2",
                    numeric=Decimal("0.2"),
                    ref_low=Decimal("0"),
                    ref_high=Decimal("1"),
                ),
                ports.Observation(
                    code="718-7",
                    name="Гемоглобин",
                    value="181",
                    numeric=Decimal("181"),
                    ref_low=Decimal("120"),
                    ref_high=Decimal("160"),
                ),
            ),
        ),
    )
    assert_stored_encrypted(report, title="Антитела к ВИЧ")
    hiv, haemoglobin = report.results.order_by("position")
    assert_stored_encrypted(
        hiv, name="Антитела к ВИЧ-1/2", flag="normal", ref_low=Decimal("0.0000")
    )
    assert_stored_encrypted(haemoglobin, flag="high", ref_high=Decimal("160.0000"))
    assert type(report)._base_manager.get(pk=report.pk).worst_flag == "out"

    document, _ = save_document(
        patient=patient_a,
        document=ports.PatientDocument(
            external_id="d-onco",
            patient_id=patient_a.mis_id,
            kind="discharge",
            title="Выписка из онкодиспансера",
            issued_at=ISSUED,
            content=b"%PDF-1.4 synthetic",
            file_name="vypiska-onko.pdf",
        ),
    )
    assert_stored_encrypted(
        document, title="Выписка из онкодиспансера", file_name="vypiska-onko.pdf"
    )


def _codes_from_raw(raw: str) -> set[str]:
    """Every login code someone could compute from a stored seed as it is."""
    candidates = [raw.encode()]
    with contextlib.suppress(binascii.Error, ValueError):
        candidates.append(binascii.unhexlify(raw))
    return {f"{totp(key, drift=drift):06d}" for key in candidates for drift in range(-5, 1)}


def test_a_totp_seed_read_from_the_database_gives_no_valid_code(admin_user):
    device = TOTPDevice.objects.create(user=admin_user, name="default", confirmed=True)
    seed = device.key
    raw = raw_value(TOTPDevice, device.pk, "key")
    assert seed not in raw and len(raw) <= 80
    device = TOTPDevice.objects.get(pk=device.pk)
    assert device.key == seed  # what the library sees
    accepted = {f"{totp(device.bin_key, drift=d):06d}" for d in (-1, 0, 1)}
    assert not _codes_from_raw(raw) & accepted
    assert device.verify_token(f"{totp(device.bin_key):06d}")
    assert raw_value(TOTPDevice, device.pk, "key") == raw  # saving keeps it wrapped


def test_an_sms_seed_read_from_the_database_gives_no_valid_code():
    user = make_patient()
    device = PhoneDevice.objects.get(user=user)
    raw = raw_value(PhoneDevice, device.pk, "key")
    assert device.key not in raw and len(raw) <= 40
    device.generate_challenge()
    sent = SmsDelivery.objects.filter(phone=user.phone, purpose="login_code").get()
    code = re.search(r"\b(\d{6})\b", sent.text).group(1)
    assert code not in _codes_from_raw(raw)
    assert PhoneDevice.objects.get(pk=device.pk).verify_token(code)


def test_existing_plaintext_rows_are_encrypted_by_the_migration_helper():
    """What the data migrations do to rows written before them."""
    from clinic_site.encrypted_columns import encrypt_columns

    sms = send_sms(to="+79990000044", text="Код 123456", purpose="login_code")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE integrations_smsdelivery SET phone = %s, text = %s, phone_index = ''"
            " WHERE id = %s",
            ["+79990000044", "Код 123456", sms.pk],
        )
    migrate = encrypt_columns(
        "integrations_smsdelivery", ["phone", "text"], hashes={"phone_index": ("phone", "phone")}
    )
    for _ in range(2):  # a second run changes nothing
        migrate.code(None, type("Editor", (), {"connection": connection}))
        assert_stored_encrypted(sms, phone="+79990000044", text="Код 123456")
    assert SmsDelivery.objects.filter(phone="+79990000044").get() == sms


def test_rotation_covers_hashes_and_seeds(settings, admin_user):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.CLINIC_FIELD_KEYS = [old]
    user = make_patient()
    link = _link_request(user, phone="+79990000045", last_name="Ротирова")
    totp_device = TOTPDevice.objects.create(user=admin_user, name="default", confirmed=True)
    raw_seed = raw_value(TOTPDevice, totp_device.pk, "key")
    raw_hash = raw_value(LinkRequest, link.pk, "phone_index")

    with override_settings(CLINIC_FIELD_KEYS=[new, old]):
        # Before the rotation, lookups match the hashes made with the old key.
        assert LinkRequest.objects.filter(phone="+79990000045").get() == link
        out = io.StringIO()
        call_command("rotate_field_keys", stdout=out)
        assert "rewrapped 2 second-factor seeds" in out.getvalue()  # TOTP + the SMS device
        again = io.StringIO()
        call_command("rotate_field_keys", stdout=again)
        assert "recomputed 0 keyed hashes and rewrapped 0" in again.getvalue()
    assert raw_value(LinkRequest, link.pk, "phone_index") != raw_hash
    assert raw_value(TOTPDevice, totp_device.pk, "key") != raw_seed

    with override_settings(CLINIC_FIELD_KEYS=[new]):  # the old key is gone
        assert LinkRequest.objects.filter(phone="+79990000045").get() == link
        assert LinkRequest.objects.filter(last_name="ротирова").get() == link
        device = TOTPDevice.objects.get(pk=totp_device.pk)
        assert device.key == totp_device.key
        assert device.verify_token(f"{totp(device.bin_key):06d}")


def test_an_encrypted_field_without_a_hash_refuses_sql_comparison():
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError):
        list(Appointment.objects.filter(patient_last_name="Иванова"))
    assert encrypt_text("x") != encrypt_text("x")  # why: equal texts, different tokens
