"""Hold, confirm, cancel: the booking invariants, on PostgreSQL and the demo MIS."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

import pytest

from booking import services
from booking.models import Appointment, ScheduleInterval
from booking.selectors import next_free_slots
from booking.services import PatientDetails
from integrations import outbox
from integrations.models import OutboxMessage
from tests.consent import CONSENT

PATIENT = PatientDetails(last_name="Тестова", first_name="Анна", phone="+79990000003")


def book(doctor, service, start, **kwargs):
    appointment = services.hold_slot(doctor=doctor, service=service, start=start, **kwargs)
    return services.confirm(consent=CONSENT, appointment=appointment, patient=PATIENT)


def deliver_all():
    for message_id in OutboxMessage.objects.filter(status="pending").values_list("pk", flat=True):
        outbox.deliver(message_id)


def test_hold_takes_the_slot_off_the_list(doctor, service, free):
    slot = free[0]
    held = services.hold_slot(doctor=doctor, service=service, start=slot.start)
    assert held.status == "held"
    assert held.hold_expires_at - timezone.now() == pytest.approx(
        timedelta(minutes=10), abs=timedelta(seconds=5)
    )
    after = next_free_slots(doctor=doctor, service=service, now=slot.start, limit=40)
    assert slot.start not in [s.start for s in after]


def test_second_hold_loses_and_gets_three_nearest_alternatives(doctor, service, free):
    slot = free[5]
    services.hold_slot(doctor=doctor, service=service, start=slot.start)
    with pytest.raises(services.SlotUnavailable) as lost:
        services.hold_slot(doctor=doctor, service=service, start=slot.start)
    alternatives = lost.value.alternatives
    assert len(alternatives) == 3
    assert slot.start not in [a.start for a in alternatives]
    still_free = {
        s.start
        for s in next_free_slots(
            doctor=doctor, service=service, now=timezone.now(), days=30, limit=10_000
        )
    }
    assert {a.start for a in alternatives} <= still_free
    # They are the nearest: no free slot lies closer than the farthest of them.
    farthest = max(abs(a.start - slot.start) for a in alternatives)
    closer = [s for s in still_free if abs(s - slot.start) < farthest]
    assert set(closer) <= {a.start for a in alternatives}


def test_buffer_between_visits_is_kept(doctor, service, free):
    first = services.hold_slot(doctor=doctor, service=service, start=free[0].start)
    right_after = first.end  # no 5-minute buffer left
    with pytest.raises(services.BookingError):
        services.hold_slot(doctor=doctor, service=service, start=right_after)
    assert first.blocked_until == first.end + timedelta(minutes=5)


def test_a_time_that_is_no_slot_is_refused(doctor, service, free):
    with pytest.raises(services.NotBookable):
        services.hold_slot(
            doctor=doctor, service=service, start=free[0].start + timedelta(minutes=1)
        )
    with pytest.raises(services.NotBookable):
        services.hold_slot(
            doctor=doctor, service=service, start=timezone.now() - timedelta(hours=1)
        )


def test_same_idempotency_key_makes_one_appointment(doctor, service, free):
    a = services.hold_slot(doctor=doctor, service=service, start=free[0].start, idempotency_key="k")
    b = services.hold_slot(doctor=doctor, service=service, start=free[0].start, idempotency_key="k")
    assert a.pk == b.pk
    assert Appointment.objects.count() == 1
    with pytest.raises(services.IdempotencyConflict):
        services.hold_slot(doctor=doctor, service=service, start=free[3].start, idempotency_key="k")


def test_an_expired_hold_frees_its_slot_by_itself(doctor, service, free):
    start = free[0].start
    stale = services.hold_slot(doctor=doctor, service=service, start=start)
    later = timezone.now() + timedelta(minutes=11)
    fresh = services.hold_slot(doctor=doctor, service=service, start=start, now=later)
    assert fresh.status == "held"
    stale.refresh_from_db()
    assert stale.status == "expired"
    with pytest.raises(services.HoldExpired):
        services.confirm(consent=CONSENT, appointment=stale, patient=PATIENT)


def test_expire_holds_task_rule(doctor, service, free):
    held = services.hold_slot(doctor=doctor, service=service, start=free[0].start)
    assert services.expire_holds() == 0
    assert services.expire_holds(now=timezone.now() + timedelta(minutes=10, seconds=1)) == 1
    held.refresh_from_db()
    assert held.status == "expired"


def test_confirm_writes_the_booking_to_the_mis(doctor, service, free, mis):
    appointment = book(doctor, service, free[0].start)
    assert appointment.status == "awaiting"
    assert (
        services.confirm(consent=CONSENT, appointment=appointment, patient=PATIENT).pk
        == appointment.pk
    )
    message = OutboxMessage.objects.get()
    assert (message.topic, message.status) == ("mis.book", "pending")
    assert outbox.deliver(message.pk) == "delivered"
    message.refresh_from_db()
    delivered_at = message.delivered_at
    # Never twice: the handler is not run again (its own early return for a
    # confirmed appointment would answer "delivered" all the same).
    assert outbox.deliver(message.pk) == "delivered"
    message.refresh_from_db()
    assert (message.attempts, message.delivered_at) == (1, delivered_at)
    appointment.refresh_from_db()
    assert appointment.status == "confirmed" and appointment.mis_appointment_id
    busy = mis.schedule(start=free[0].start.date(), end=free[0].start.date()).busy
    assert any(b.start == free[0].start and b.doctor_id == doctor.external_id for b in busy)


def test_slot_taken_by_phone_in_the_mis_releases_ours(
    doctor, service, free, mis, django_capture_on_commit_callbacks
):
    slot = free[0]
    appointment = book(doctor, service, slot.start)
    mis.book_by_phone(doctor_id=doctor.external_id, start=slot.start, end=slot.end)
    with django_capture_on_commit_callbacks(execute=True):
        outbox.deliver(OutboxMessage.objects.get().pk)
    appointment.refresh_from_db()
    assert (appointment.status, appointment.failure) == ("rejected", "slot_taken")
    # The local schedule now knows the phone booking: the slot is not offered.
    assert ScheduleInterval.objects.filter(doctor=doctor, kind="busy", start=slot.start).exists()
    offered = next_free_slots(doctor=doctor, service=service, now=slot.start, limit=5)
    assert slot.start not in [s.start for s in offered]


def test_mis_outage_waits_and_delivers_later(doctor, service, free, settings):
    appointment = book(doctor, service, free[0].start)
    message = OutboxMessage.objects.get()
    settings.MIS_DEMO_OUTAGE = True
    assert outbox.deliver(message.pk) == "pending"
    message.refresh_from_db()
    assert message.attempts == 1 and message.next_attempt_at > timezone.now()
    appointment.refresh_from_db()
    assert appointment.status == "awaiting"  # the patient sees "awaiting confirmation"
    settings.MIS_DEMO_OUTAGE = False
    assert outbox.deliver(message.pk) == "delivered"
    appointment.refresh_from_db()
    assert appointment.status == "confirmed"


def test_mis_down_through_every_retry_is_a_clear_failure(doctor, service, free, settings):
    appointment = book(doctor, service, free[0].start)
    message = OutboxMessage.objects.get()
    settings.MIS_DEMO_OUTAGE = True
    for _ in range(outbox.MAX_ATTEMPTS):
        status = outbox.deliver(message.pk)
    assert status == "failed"
    appointment.refresh_from_db()
    assert (appointment.status, appointment.failure) == ("rejected", "mis_unavailable")


def test_cancel_frees_the_slot_here_and_in_the_mis(doctor, service, free, mis):
    slot = free[-1]
    appointment = book(doctor, service, slot.start)
    deliver_all()
    appointment.refresh_from_db()
    services.cancel(appointment=appointment)
    deliver_all()
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
    busy = mis.schedule(start=slot.start.date(), end=slot.start.date()).busy
    assert not any(b.start == slot.start and b.doctor_id == doctor.external_id for b in busy)
    again = services.hold_slot(doctor=doctor, service=service, start=slot.start)
    assert again.status == "held"


def test_cancel_cutoff(doctor, service, free):
    appointment = book(doctor, service, free[0].start)
    too_late = free[0].start - timedelta(hours=1)
    with pytest.raises(services.WrongState):
        services.cancel(appointment=appointment, now=too_late)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_exclusion_constraint_is_the_backstop(doctor, service, free):
    """Rows written around the service still cannot overlap on PostgreSQL."""
    start = free[0].start
    fields = {
        "doctor": doctor,
        "service": service,
        "start": start,
        "end": start + timedelta(minutes=30),
        "blocked_until": start + timedelta(minutes=35),
        "status": "confirmed",
    }
    Appointment.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(
            **{
                **fields,
                "start": start + timedelta(minutes=20),
                "end": start + timedelta(minutes=50),
                "blocked_until": start + timedelta(minutes=55),
            }
        )
    # A cancelled one does not block.
    Appointment.objects.create(**{**fields, "status": "cancelled"})


def test_one_phone_cannot_book_a_specialty_out(doctor, service, free, settings):
    settings.BOOKING_MAX_ACTIVE_PER_SPECIALTY = 2
    starts = [free[0].start, free[8].start, free[16].start]
    book(doctor, service, starts[0])
    book(doctor, service, starts[1])
    third = services.hold_slot(doctor=doctor, service=service, start=starts[2])
    with pytest.raises(services.LimitReached) as refused:
        services.confirm(consent=CONSENT, appointment=third, patient=PATIENT)
    assert refused.value.code == "limit_reached"
    third.refresh_from_db()
    assert third.status == "held"  # nothing lost: another phone may still confirm it
    other = PatientDetails(last_name="Другая", first_name="Ольга", phone="+79990000009")
    assert services.confirm(consent=CONSENT, appointment=third, patient=other).status == "awaiting"


def test_holds_per_phone_per_hour(doctor, service, free, settings):
    settings.BOOKING_MAX_ACTIVE_PER_SPECIALTY = 100
    settings.BOOKING_MAX_HOLDS_PER_PHONE_HOUR = 2
    book(doctor, service, free[0].start)
    book(doctor, service, free[8].start)
    third = services.hold_slot(doctor=doctor, service=service, start=free[16].start)
    with pytest.raises(services.LimitReached):
        services.confirm(consent=CONSENT, appointment=third, patient=PATIENT)


def test_the_refused_holds_sql_agrees_with_the_orm_rule(doctor, service, free):
    """keys_taking (hand-written SQL, the hot path) finds exactly what the ORM's
    takes_its_time finds, for every window across every kind of appointment."""
    from booking.free_slots import active_appointments
    from booking.selectors import keys_taking
    from catalog.models import Doctor

    now = timezone.now()
    t = free[0].start
    minutes = lambda n: t + timedelta(minutes=n)  # noqa: E731
    rows = [
        ("confirmed", 0, None),
        ("cancelled", 0, None),  # overlaps the confirmed one: not active
        ("awaiting", 60, None),
        ("expired", 60, None),
        ("held", 120, now + timedelta(minutes=5)),
        ("held", 180, now - timedelta(minutes=1)),  # past its hold: free
        ("rejected", 240, None),
    ]
    for number, (status, offset, expires) in enumerate(rows):
        Appointment.objects.create(
            idempotency_key=f"k{number}",
            doctor=doctor,
            service=service,
            start=minutes(offset),
            end=minutes(offset + 30),
            blocked_until=minutes(offset + 40),
            status=status,
            hold_expires_at=expires,
        )
    other = Doctor.objects.exclude(pk=doctor.pk).first()
    Appointment.objects.create(
        idempotency_key="other",
        doctor=other,
        service=service,
        start=t,
        end=minutes(30),
        blocked_until=minutes(40),
        status="confirmed",
    )
    for offset in range(-50, 300, 10):
        for key in (None, "k1", "k5", "other", "nowhere"):
            start, blocked_until = minutes(offset), minutes(offset + 40)
            expected = set(
                active_appointments(now=now)
                .filter(doctor=doctor, start__lt=blocked_until, blocked_until__gt=start)
                .values_list("idempotency_key", flat=True)
            ) | set(
                Appointment.objects.filter(idempotency_key=key).values_list(
                    "idempotency_key", flat=True
                )
            )
            found = keys_taking(
                doctor_id=doctor.pk, start=start, blocked_until=blocked_until, now=now, key=key
            )
            assert set(found) == expected, (offset, key)
            assert len(found) == len(set(found))


def test_a_key_enqueued_twice_keeps_its_first_message(doctor, service, free):
    book(doctor, service, free[0].start)
    first = OutboxMessage.objects.get()
    with transaction.atomic():
        again = outbox.enqueue(topic="mis.book", key=first.key, payload={"appointment": -1})
    assert again.pk == first.pk
    assert OutboxMessage.objects.get().payload == first.payload
