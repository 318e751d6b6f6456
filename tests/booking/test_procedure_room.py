"""The procedure room of each branch is synced from the MIS and booked like a doctor."""

from collections import Counter
from datetime import timedelta

from django.utils import timezone

import pytest

from booking.models import Appointment
from booking.selectors import next_free_slots, rooms
from catalog.models import Doctor, ProcedureRoom
from integrations.mis.demo import BRANCHES, ROOM_SERVICE, DemoMis
from tests.booking.test_api import api, confirm, hold  # noqa: F401 (api is a fixture)

pytestmark = pytest.mark.django_db


def test_every_branch_has_one_bookable_procedure_room(clinic):
    found = list(rooms())
    assert len(found) == len(BRANCHES) == 3
    assert sorted(b.external_id for r in found for b in r.branches.all()) == sorted(
        b.external_id for b in BRANCHES
    )
    # Rooms are a kind of bookable resource with a name of their own.
    assert {type(r) for r in found} == {ProcedureRoom}
    assert set(ProcedureRoom.objects.all()) == set(found)
    for room in found:
        assert room.is_room
        assert room.full_name.startswith("Процедурный кабинет — ")
        (service,) = room.services.all()
        assert (service.code, service.duration_minutes) == ("A11.12.009", 10)
        assert service.name == "Взятие крови из периферической вены"
        assert service.price == ROOM_SERVICE.price
    people = Doctor.objects.exclude(pk__in=[r.pk for r in found])
    assert not any(d.is_room for d in people)
    assert people.count() == len(DemoMis().doctors()) - len(BRANCHES)


def test_the_room_works_mornings_with_some_times_taken(clinic):
    room = rooms().first()
    tomorrow = timezone.now() + timedelta(days=1)
    slots = next_free_slots(doctor=room, now=tomorrow, days=3, limit=100)
    local = [s.local_start for s in slots]
    assert local and all((7, 30) <= (t.hour, t.minute) <= (11, 15) for t in local)
    # 16 draws a morning fit (15-minute grid); some are already booked by the front desk.
    per_day = Counter(t.date() for t in local)
    assert max(per_day.values()) <= 16 and min(per_day.values()) < 16


def test_a_blood_draw_is_held_and_confirmed_through_the_api(api, clinic):  # noqa: F811
    room = rooms().first()
    service = room.services.get()
    free = next_free_slots(doctor=room, now=timezone.now() + timedelta(days=1), limit=5)
    response = hold(api, room, service, free[0].start)
    assert response.status_code == 201, response.content
    held = response.json()
    confirmed = confirm(api, held)
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["status"] == "confirmed"
    appointment = Appointment.objects.get(public_id=held["id"])
    assert appointment.doctor == room and appointment.service == service
    assert appointment.end - appointment.start == timedelta(minutes=10)
    # The MIS's own book has it, so the time is taken for everyone else.
    assert clinic.appointment(appointment_id=appointment.mis_appointment_id) is not None
    again = hold(api, room, service, free[0].start)
    assert again.status_code == 409
