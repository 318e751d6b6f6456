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
