"""What the fuzz tests share: the example count, the demo patient's bookings
they aim at, and each example undone after it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from booking import services
from booking.models import Appointment
from booking.selectors import default_service, next_free_slots
from cabinet.accounts.models import User
from cabinet.demo import DEMO_PATIENT
from catalog.models import Doctor

# Random examples per operation or form (docs/testing.md: more of them).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))


@dataclass(frozen=True)
class DemoBooking:
    held: Appointment  # the demo patient's hold
    # Free times of the same doctor and service after it, an hour apart.
    free_starts: tuple[datetime, ...]


def demo_booking(*, settings) -> DemoBooking:
    """A hold of the demo patient on the demo clinic (demo_clinic loaded), so
    that the fuzz reaches the code behind the lookups, not only their 404.
    The hold throttle is out of the way: it has its own tests."""
    settings.BOOKING_HOLDS_PER_IP = "100000/min"
    now = timezone.now() + timedelta(days=1)
    patient = User.objects.get(username=DEMO_PATIENT.username)
    for doctor in Doctor.objects.filter(is_active=True).order_by("pk"):
        service = default_service(doctor)
        slots = next_free_slots(doctor=doctor, service=service, now=now, limit=60)
        apart = slots[:1]
        for slot in slots:
            if slot.start >= apart[-1].end + timedelta(hours=1):
                apart.append(slot)
        if len(apart) >= 3:
            held = services.hold_slot(
                doctor=doctor, service=service, start=apart[0].start, patient=patient
            )
            return DemoBooking(held=held, free_starts=tuple(s.start for s in apart[1:]))
    raise AssertionError("no free time in the demo clinic")


@contextmanager
def undone() -> Iterator[None]:
    """One example in a savepoint rolled back after it: every example starts
    from the same clinic, whatever the one before changed."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
