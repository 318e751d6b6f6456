"""Patients A and B with their accounts, for the cabinet's medical-data tests."""

from datetime import date

import pytest

from cabinet.models import Patient, User


def make_patient(mis_id: str, *, username: str | None, sex: str = "female", born=None) -> Patient:
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
    return make_patient("pt-test-a", username="alice")


@pytest.fixture
def patient_b(db) -> Patient:
    return make_patient("pt-test-b", username="boris", sex="male", born=date(1970, 2, 3))


def import_history(patient: Patient):
    """Load the patient's demo-MIS history the way the worker does."""
    from cabinet.records.importer import run_import
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
