"""A synced demo clinic with its own demo-MIS appointment book per test."""

from datetime import timedelta

from django.utils import timezone

import pytest

from booking.selectors import default_service, next_free_slots
from catalog.models import Doctor
from integrations.mis import get_mis_adapter
from integrations.mis.sync import run_mis_sync


@pytest.fixture
def mis(settings, tmp_path):
    settings.MIS_DEMO_STORE = str(tmp_path / "demo-mis.sqlite3")
    return get_mis_adapter()


@pytest.fixture
def clinic(db, mis):
    run_mis_sync(adapter=mis, days=7)
    return mis


@pytest.fixture
def doctor(clinic) -> Doctor:
    """A doctor with free time tomorrow or later."""
    for doctor in Doctor.objects.order_by("pk"):
        slots = next_free_slots(doctor=doctor, now=timezone.now() + timedelta(days=1), limit=20)
        if len(slots) >= 10:
            return doctor
    raise AssertionError("no doctor with free time in the demo clinic")


@pytest.fixture
def service(doctor):
    return default_service(doctor)


@pytest.fixture
def free(doctor, service):
    """The doctor's free slots from tomorrow on."""
    return next_free_slots(
        doctor=doctor, service=service, now=timezone.now() + timedelta(days=1), limit=40
    )
