"""Real concurrent transactions: no two active appointments of a doctor overlap.

The races run on PostgreSQL, where an exclusion constraint backs the overlap
check, and once more on SQLite (the embedded default, `make run`), where the
check under the doctor's lock is the only guarantee.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.db import connections

import pytest

from booking import services
from booking.models import Appointment
from tests.sqlite import run_on_sqlite

transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def race(jobs):
    """Run every job in its own thread, all released at once; each has its own
    connection. A thread that misses the start fails the test (a broken
    barrier would let the jobs run one after another and prove nothing)."""
    barrier = threading.Barrier(len(jobs))

    def run(job):
        try:
            barrier.wait(timeout=30)
            return job()
        except services.BookingError as error:
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


def overlapping_pairs() -> int:
    """Pairs of active appointments of one doctor whose [start, blocked_until) meet."""
    active = list(
        Appointment.objects.filter(status__in=Appointment.ACTIVE).values_list(
            "doctor_id", "start", "blocked_until"
        )
    )
    return sum(
        1
        for i, (doctor, start, until) in enumerate(active)
        for other, other_start, other_until in active[i + 1 :]
        if doctor == other and start < other_until and other_start < until
    )


@transactional
def test_many_patients_one_slot_exactly_one_wins(doctor, service, free):
    start = free[0].start
    results = race([lambda: services.hold_slot(doctor=doctor, service=service, start=start)] * 16)
    winners = [r for r in results if isinstance(r, Appointment)]
    losers = [r for r in results if isinstance(r, services.SlotUnavailable)]
    assert len(winners) == 1
    assert len(losers) == 15
    assert all(len(loser.alternatives) == 3 for loser in losers)
    assert Appointment.objects.filter(status__in=Appointment.ACTIVE).count() == 1
    assert overlapping_pairs() == 0


@transactional
def test_overlapping_starts_of_one_doctor_never_both_win(doctor, service, free):
    """Starts 15 minutes apart with 30-minute visits: neighbours exclude each other."""
    starts = [s.start for s in free[:12]]
    jobs = [
        (lambda start=start: services.hold_slot(doctor=doctor, service=service, start=start))
        for start in starts
        for _ in range(2)
    ]
    results = race(jobs)
    won = sorted(r.start for r in results if isinstance(r, Appointment))
    assert won, "someone must win"
    assert overlapping_pairs() == 0
    for a, b in zip(won, won[1:], strict=False):
        assert b - a >= timedelta(minutes=service.duration_minutes + 5)


@transactional
def test_duplicate_request_with_one_key_makes_one_appointment(doctor, service, free):
    start = free[0].start
    results = race(
        [
            lambda: services.hold_slot(
                doctor=doctor, service=service, start=start, idempotency_key="same"
            )
        ]
        * 8
    )
    assert {r.pk for r in results if isinstance(r, Appointment)} == {Appointment.objects.get().pk}
    assert all(isinstance(r, Appointment) for r in results)


def test_the_same_races_on_sqlite(request, tmp_path_factory):
    """The embedded default has no exclusion constraint: the same races, in a
    pytest process of their own on a SQLite file, with real threads."""
    passed = run_on_sqlite(request, tmp_path_factory)
    assert passed == 3
