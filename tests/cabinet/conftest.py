"""Fixtures of the cabinet's tests: patients with their SMS device, consent
texts, a verified (two-factor) login, a stand-in medical view, and patients
with medical records (A and B) for the records' tests."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.utils import timezone

import pytest
from django_otp import DEVICE_ID_SESSION_KEY

from cabinet.accounts.models import Patient, User
from cabinet.accounts.two_factor import ensure_phone_device
from cabinet.consent.models import ConsentDocument
from cabinet.consent.services import sign
from integrations.sms.models import SmsDelivery

PROBE = "/cabinet/probe/"


@pytest.fixture
def probe(settings):
    """Adds /cabinet/probe/: a medical view that shows whose record it opened."""
    settings.ROOT_URLCONF = "tests.cabinet.probe_urls"
    return PROBE


@pytest.fixture
def consent_documents(db):
    published = timezone.now() - timedelta(days=1)
    return [
        ConsentDocument.objects.create(
            kind=kind,
            version=1,
            title=f"Согласие ({kind})",
            text=f"Синтетический текст согласия: {kind}.",
            published_at=published,
        )
        for kind in ConsentDocument.Kind.values
    ]


def make_patient(
    *,
    username="+79990000001",
    phone="+79990000001",
    mis_id="pt-demo-0001",
    password="Sekret-pass-2026",  # noqa: S107
    birth_date=date(1985, 4, 12),
) -> User:
    user = User.objects.create_user(username, password=password, phone=phone)
    ensure_phone_device(user)
    Patient.objects.create(
        mis_id=mis_id,
        account=user,
        last_name="Демонстрационная",
        first_name="Пациентка",
        birth_date=birth_date,
        phone=phone,
    )
    return user


@pytest.fixture
def patient_user(db) -> User:
    return make_patient()


def verified_login(client, user) -> None:
    """Log in as if password and SMS code were given (the second factor verified)."""
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = user.phonedevice_set.get(name="default").persistent_id
    session.save()


def sign_all(user, documents, rf) -> None:
    request = rf.get("/", REMOTE_ADDR="203.0.113.7")
    sign(user, documents, request=request)


def last_code(phone: str, purpose: str) -> str:
    sms = SmsDelivery.objects.filter(phone=phone, purpose=purpose).order_by("pk").last()
    assert sms is not None, f"no {purpose} SMS to {phone}"
    return re.search(r"\b(\d{6})\b", sms.text).group(1)


def ru(msgid: str) -> str:
    """What the Russian site shows for `msgid` (the English source until the
    lead merges locale/pending/h4-accounts.json into the catalogue)."""
    from django.utils import translation

    with translation.override("ru"):
        return translation.gettext(msgid)


def shows(page: str, msgid: str) -> bool:
    """Whether the page shows the Russian text of `msgid` (escaped or not)."""
    from django.utils.html import escape

    text = ru(msgid)
    return text in page or escape(text) in page


def staff_with_totp(user):
    """Give a staff user a confirmed TOTP device; returns it."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="default", confirmed=True)


def verified_staff_login(client, user) -> None:
    device = staff_with_totp(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def open_cabinet(client, user) -> None:
    """Log in with both factors and sign the current consents: the cabinet opens."""
    from cabinet.consent.services import current_documents

    if not user.phone:  # a login made for a test without a phone: give it one
        user.phone = f"+7999555{user.pk:04d}"
        user.save(update_fields=["phone"])
    ensure_phone_device(user)
    documents = list(current_documents())
    if documents:
        from django.test import RequestFactory

        sign_all(user, documents, RequestFactory())
    verified_login(client, user)


# --- patients with medical records (the records' tests) -----------------------


def make_record_patient(
    mis_id: str, *, username: str | None, sex: str = "female", born=None
) -> Patient:
    account = None
    if username:
        account = User.objects.create_user(username, password="x-secret-2026", first_name=username)
    return Patient.objects.create(
        mis_id=mis_id,
        account=account,
        last_name="Тестова",
        first_name=username or "Ребёнок",
        birth_date=born or date(1985, 4, 12),
        sex=sex,
    )


@pytest.fixture
def patient_a(db) -> Patient:
    return make_record_patient("pt-test-a", username="alice")


@pytest.fixture
def patient_b(db) -> Patient:
    return make_record_patient("pt-test-b", username="boris", sex="male", born=date(1970, 2, 3))


def import_history(patient: Patient):
    """Load the patient's demo-MIS history the way the worker does."""
    from cabinet.records.history import run_import
    from cabinet.records.models import RecordImport

    return run_import(RecordImport.objects.create(patient=patient).pk)


@pytest.fixture
def demo_patient(db) -> Patient:
    """The demo patient (pt-demo-0001, full history) with her own login, imported."""
    from cabinet.demo import ensure_demo_users

    ensure_demo_users()
    patient = Patient.objects.get(mis_id="pt-demo-0001")
    import_history(patient)
    return patient


@pytest.fixture
def child_patient(db) -> Patient:
    """The demo child (pt-demo-0002) with a login of her own here, imported: "patient A"."""
    from cabinet.demo import ensure_demo_users

    ensure_demo_users()
    patient = Patient.objects.get(mis_id="pt-demo-0002")
    patient.account = User.objects.create_user("child-login", password="x-secret-2026")
    patient.save()
    import_history(patient)
    return patient
