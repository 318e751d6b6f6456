"""Free slots come from Redis; only the doctor-days that changed are recomputed."""

from dataclasses import replace
from datetime import UTC, timedelta

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from booking import services
from booking.selectors import search_free_slots
from booking.slot_cache import _version_key
from catalog.models import Specialty
from integrations.mis.demo import DemoMis
from integrations.mis.sync import run_mis_sync
from integrations.ports import BusyInterval


def search(**kwargs):
    now = timezone.now()
    return search_free_slots(start=now, end=now + timedelta(days=7), limit=500, **kwargs)


def schedule_queries(queries) -> int:
    return sum("booking_scheduleinterval" in q["sql"] for q in queries.captured_queries)


def test_second_search_is_served_from_the_cache(clinic):
    therapy = Specialty.objects.get(name="Терапия")
    with CaptureQueriesContext(connection) as cold:
        first = search(specialty_id=therapy.pk)
    with CaptureQueriesContext(connection) as warm:
        second = search(specialty_id=therapy.pk)
    assert [(s.doctor.pk, s.start) for s in first] == [(s.doctor.pk, s.start) for s in second]
    assert schedule_queries(cold) > 0
    assert schedule_queries(warm) == 0


def test_a_hold_removes_the_slot_from_cached_results(doctor, service, free):
    before = search(doctor_id=doctor.pk, service_id=service.pk)
    target = before[3]
    services.hold_slot(doctor=doctor, service=service, start=target.start)
    after = search(doctor_id=doctor.pk, service_id=service.pk)
    assert target.start not in [s.start for s in after]


def test_cancel_brings_the_slot_back(doctor, service, free):
    target = search(doctor_id=doctor.pk, service_id=service.pk)[3]
    held = services.hold_slot(doctor=doctor, service=service, start=target.start)
    services.cancel(appointment=held)
    assert target.start in [s.start for s in search(doctor_id=doctor.pk, service_id=service.pk)]


class OnePhoneBooking(DemoMis):
    """The same MIS after the front desk booked one more visit for one doctor."""

    def __init__(self, *, doctor_id, start, **kwargs):
        super().__init__(**kwargs)
        self.extra = BusyInterval(doctor_id, start, start + timedelta(minutes=30))

    def schedule(self, *, start, end):
        schedule = super().schedule(start=start, end=end)
        if start <= self.extra.start.date() <= end:
            return replace(schedule, busy=(*schedule.busy, self.extra))
        return schedule


def test_sync_invalidates_only_the_changed_doctor_day(clinic, doctor, service, settings):
    therapy_doctors = list(Specialty.objects.get(name="Терапия").doctors.all())
    search(specialty_id=doctor.specialties.first().pk)  # warm
    target = search(doctor_id=doctor.pk, service_id=service.pk)[0]
    day = target.start.astimezone(UTC).date()
    others = [d for d in therapy_doctors if d.pk != doctor.pk]
    before = cache.get_many([_version_key(d.pk, day) for d in [doctor, *others]])
    changed = OnePhoneBooking(
        doctor_id=doctor.external_id,
        start=target.start,
        seed=2026,
        store=settings.MIS_DEMO_STORE,
    )
    report = run_mis_sync(adapter=changed, days=7)
    assert report["schedule"].changed_doctor_days == {(doctor.pk, day)}
    after = cache.get_many([_version_key(d.pk, day) for d in [doctor, *others]])
    assert after.get(_version_key(doctor.pk, day), 0) > before.get(_version_key(doctor.pk, day), 0)
    for other in others:
        assert after.get(_version_key(other.pk, day)) == before.get(_version_key(other.pk, day))
    assert target.start not in [s.start for s in search(doctor_id=doctor.pk, service_id=service.pk)]


def test_slots_computed_before_a_change_are_not_served_after_it(doctor, service, free):
    """A reader that loaded the day before a hold and stored its slots after the
    hold's invalidation left an entry of the old version: it is not served."""
    from booking.slot_cache import _slots_key

    day = free[3].start.astimezone(UTC).date()
    search(doctor_id=doctor.pk, service_id=service.pk)
    stale = cache.get(_slots_key(doctor.pk, service.pk, day))
    assert free[3].start in [start for start, _end, _branch in stale[1]]
    services.hold_slot(doctor=doctor, service=service, start=free[3].start)
    cache.set(_slots_key(doctor.pk, service.pk, day), stale)  # the late writer
    assert free[3].start not in [
        s.start for s in search(doctor_id=doctor.pk, service_id=service.pk)
    ]
