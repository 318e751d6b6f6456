"""Demo accounts of the embedded default: one editor, one patient (synthetic)."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str
    url: str


DEMO_EDITOR = DemoLogin("Wagtail editor", "editor", "demo-editor-2026", "/admin/")
DEMO_PATIENT = DemoLogin("demo patient", "patient", "demo-patient-2026", "/")


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
    patient_user = User.objects.filter(username=DEMO_PATIENT.username).first()
    if patient_user is None:
        patient_user = User.objects.create_user(
            DEMO_PATIENT.username,
            password=DEMO_PATIENT.password,
            first_name="Пациент",
            last_name="Демонстрационный",
            phone="+79990000001",
            email="patient@example.invalid",
        )
    link_demo_patient(patient_user)
    return [DEMO_EDITOR, DEMO_PATIENT]


def link_demo_patient(user) -> None:
    """The demo patient's MIS record is the demo login's own; her child has none."""
    from cabinet.models import Patient
    from integrations.mis.demo_patients import DEMO_CHILD
    from integrations.mis.demo_patients import DEMO_PATIENT as MIS_PATIENT

    for person, account in ((MIS_PATIENT, user), (DEMO_CHILD, None)):
        patient, _created = Patient.objects.get_or_create(
            mis_id=person.external_id,
            defaults={
                "last_name": person.last_name,
                "first_name": person.first_name,
                "middle_name": person.middle_name,
                "birth_date": person.birth_date,
                "sex": person.sex,
                "phone": person.phone,
            },
        )
        if account is not None and patient.account_id is None:
            Patient.objects.filter(account=account).exclude(pk=patient.pk).update(account=None)
            patient.account = account
            patient.save(update_fields=["account"])
