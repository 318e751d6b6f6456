"""Demo accounts of the embedded default: one editor, one patient (synthetic),
with their second factors, the patient's MIS link, her child's proxy and the
current consent texts."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from django_otp.plugins.otp_totp.models import TOTPDevice

from cabinet.accounts.models import Patient
from cabinet.accounts.services import patient_from_mis
from cabinet.accounts.two_factor import ensure_phone_device
from cabinet.consent.models import ConsentDocument
from cabinet.proxies.models import ProxyAccess
from integrations.mis.demo_patients import DEMO_CHILD
from integrations.mis.demo_patients import DEMO_PATIENT as MIS_PATIENT


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str
    url: str


DEMO_EDITOR = DemoLogin("Wagtail editor", "editor", "demo-editor-2026", "/admin/")
DEMO_PATIENT = DemoLogin("demo patient", "patient", "demo-patient-2026", "/cabinet/")
# Staff of the demo share one TOTP secret (RFC 6238's test key), so any
# authenticator app or `manage.py demo_totp` gives the code. Demo only.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"
DEMO_TOTP_BASE32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
DEMO_STAFF = ("editor", "doctor")

CONSENT_TEXTS = {
    "personal_data": (
        "Согласие на обработку персональных данных",
        "Я, пациент, действуя свободно, своей волей и в своём интересе, даю согласие "
        "демонстрационной клинике (оператор) на обработку моих персональных данных: "
        "фамилии, имени, отчества, даты рождения, номера телефона, адреса электронной "
        "почты — в целях записи на приём, ведения личного кабинета и информирования.\n"
        "Обработка включает сбор, запись, систематизацию, хранение, уточнение, "
        "использование, удаление и уничтожение данных, с использованием средств "
        "автоматизации и без них.\n"
        "Согласие действует до его отзыва. Отозвать его можно в личном кабинете или "
        "письменным заявлением в регистратуре. Текст синтетический, для демонстрации.",
    ),
    "medical_data": (
        "Согласие на доступ к медицинским данным через личный кабинет",
        "Я даю согласие на обработку сведений о состоянии моего здоровья (результаты "
        "анализов, медицинская карта, назначения, документы) и на их показ мне в "
        "личном кабинете после входа по паролю и коду из SMS.\n"
        "Я понимаю, что несу ответственность за сохранность пароля и телефона, на "
        "который приходят коды. Доступ законного представителя к данным ребёнка до "
        "15 лет открывается после проверки документов в регистратуре.\n"
        "Согласие можно отозвать в личном кабинете: доступ к медицинским данным "
        "закроется сразу. Текст синтетический, для демонстрации.",
    ),
}


def ensure_demo_users() -> list[DemoLogin]:
    """Create the demo accounts if missing; a second call changes nothing."""
    User = get_user_model()
    editors, _ = Group.objects.get_or_create(name="Editors")
    if not editors.permissions.filter(codename="access_admin").exists():
        editors.permissions.add(Permission.objects.get(codename="access_admin"))
    editor = User.objects.filter(username=DEMO_EDITOR.username).first()
    if editor is None:
        editor = User.objects.create_user(
            DEMO_EDITOR.username,
            password=DEMO_EDITOR.password,
            first_name="Редактор",
            last_name="Демо",
            is_staff=True,
            email="editor@example.invalid",
        )
        editor.groups.add(editors)
    patient = User.objects.filter(username=DEMO_PATIENT.username).first()
    if patient is None:
        patient = User.objects.create_user(
            DEMO_PATIENT.username,
            password=DEMO_PATIENT.password,
            first_name="Пациентка",
            last_name="Демонстрационная",
            phone="+79990000001",
            email="patient@example.invalid",
        )
    ensure_demo_second_factors()
    ensure_demo_patient_records(patient)
    ensure_consent_documents()
    return [DEMO_EDITOR, DEMO_PATIENT]


def ensure_demo_second_factors() -> None:
    """Login codes by SMS for the patient, the demo TOTP key for staff."""

    User = get_user_model()
    patient = User.objects.filter(username=DEMO_PATIENT.username).first()
    if patient is not None:
        ensure_phone_device(patient)
    # The doctor's login is made after this (clinic_pages.demo): `demo_totp doctor`
    # gives it the same key on first use, so a second load writes nothing.
    for user in User.objects.filter(username=DEMO_EDITOR.username):
        if not TOTPDevice.objects.filter(user=user).exists():
            TOTPDevice.objects.create(user=user, name="default", key=DEMO_TOTP_KEY, confirmed=True)


def ensure_demo_patient_records(user) -> None:
    """Link the demo patient to her MIS record and give her the verified proxy
    of her daughter (pt-demo-0002, under 15)."""

    if not Patient.objects.filter(account=user).exists():
        if Patient.objects.filter(mis_id=MIS_PATIENT.external_id, account__isnull=False).exists():
            return  # someone registered with her record: leave it
        patient_from_mis(MIS_PATIENT, account=user)
    child = Patient.objects.filter(mis_id=DEMO_CHILD.external_id).first() or patient_from_mis(
        DEMO_CHILD
    )
    if not ProxyAccess.objects.filter(parent=user, child=child).exists():
        ProxyAccess.objects.create(
            parent=user,
            child=child,
            document_note="Свидетельство о рождении (демо, синтетическое)",
        )


def ensure_consent_documents() -> None:

    published = datetime(2026, 1, 1, tzinfo=ZoneInfo("Europe/Moscow"))
    for kind, (title, text) in CONSENT_TEXTS.items():
        if not ConsentDocument.objects.filter(kind=kind).exists():
            ConsentDocument.objects.create(
                kind=kind, version=1, title=title, text=text, published_at=published
            )
