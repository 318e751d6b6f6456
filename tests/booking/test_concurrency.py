"""Real concurrent transactions on PostgreSQL: no two active appointments overlap."""

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.db import connection, connections

import pytest

from booking import services
from booking.models import Appointment

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

OVERLAPS_SQL = """
    SELECT count(*) FROM booking_appointment a JOIN booking_appointment b
      ON a.doctor_id = b.doctor_id AND a.id < b.id
     AND tstzrange(a.start, a.blocked_until) && tstzrange(b.start, b.blocked_until)
     WHERE a.status IN ('held', 'awaiting', 'confirmed')
       AND b.status IN ('held', 'awaiting', 'confirmed')
"""


def race(jobs):
    """Run every job in its own thread, released together; each has its own connection."""
    barrier = threading.Barrier(len(jobs))

    def run(job):
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=30)
        try:
            return job()
        except services.BookingError as error:
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


def overlapping_pairs() -> int:
    with connection.cursor() as cursor:
        cursor.execute(OVERLAPS_SQL)
        return cursor.fetchone()[0]


def test_many_patients_one_slot_exactly_one_wins(doctor, service, free):
    start = free[0].start
    results = race([lambda: services.hold_slot(doctor=doctor, service=service, start=start)] * 16)
    winners = [r for r in results if isinstance(r, Appointment)]
    losers = [r for r in results if isinstance(r, services.SlotUnavailable)]
    assert len(winners) == 1
    assert len(losers) == 15
    assert all(len(loser.alternatives) == 3 for loser in losers)
    assert overlapping_pairs() == 0


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
