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
    if not User.objects.filter(username=DEMO_PATIENT.username).exists():
        User.objects.create_user(
            DEMO_PATIENT.username,
            password=DEMO_PATIENT.password,
            first_name="Пациент",
            last_name="Демонстрационный",
            phone="+79990000001",
            email="patient@example.invalid",
        )
    return [DEMO_EDITOR, DEMO_PATIENT]
