"""Booking state changes: hold a slot, confirm it, cancel it, expire holds.

Invariant: two active appointments of one doctor never overlap (buffers
included). Every write that could break it runs in one transaction that
locks the doctor's row first, checks for an overlap with a plain query, and
only then inserts; the first commit wins and the loser is offered the
nearest free alternatives (see ../shared/DESIGN.md, booking invariants).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking import signals
from booking.consent import ConsentGiven
from booking.directory import directory
from booking.free_slots import FreeSlot, doctor_free_slots, slot_policy
from booking.models import Appointment
from booking.notifications import appointment_cancelled, manage_link_renewed
from booking.selectors import keys_taking, nearest_free_slots, slots_near
from booking.slot_cache import days_of, invalidate
from catalog.models import Doctor, Service
from integrations import outbox
from integrations.models import OutboxMessage


class BookingError(Exception):
    """A booking request that cannot be done; `code` is stable for API clients,
    the message is for the patient (translated)."""

    code = "booking_error"
    status = 400
    default_message = _("This booking cannot be made.")

    def __init__(self, message: str = "", *, alternatives: list[FreeSlot] | None = None):
        super().__init__(message or self.default_message)
        self.alternatives = alternatives or []


class SlotUnavailable(BookingError):
    """This time is no longer free."""

    default_message = _("This time is no longer free.")

    code = "slot_taken"
    status = 409


class NotBookable(BookingError):
    """This time is not a slot of the doctor's schedule for that service."""

    default_message = _("This time is not a slot of the doctor's schedule for that service.")

    code = "not_a_slot"
    status = 422


class HoldExpired(BookingError):
    """The hold on this time has expired."""

    default_message = _("The hold on this time has expired.")

    code = "hold_expired"
    status = 410


class WrongState(BookingError):
    """The appointment cannot change this way now."""

    default_message = _("The appointment cannot change this way now.")

    code = "wrong_state"
    status = 409


class LimitReached(BookingError):
    """A limit against abuse was reached."""

    default_message = _("A limit against abuse was reached.")

    code = "limit_reached"
    status = 429


class ConsentMissing(BookingError):
    """No consent to the processing of personal data was given (152-FZ)."""

    default_message = _("Please agree to the processing of personal data to book.")

    code = "consent_required"
    status = 400


class IdempotencyConflict(BookingError):
    """This idempotency key was already used for another request."""

    default_message = _("This idempotency key was already used for another request.")

    code = "idempotency_key_reused"
    status = 422


@dataclass(frozen=True)
class PatientDetails:
    last_name: str
    first_name: str
    phone: str
    middle_name: str = ""
    birth_date: date | None = None
    # The person's MIS id when the account knows it (themselves, or a child).
    mis_id: str = ""

    @classmethod
    def of(cls, appointment: Appointment) -> PatientDetails:
        return cls(
            last_name=appointment.patient_last_name,
            first_name=appointment.patient_first_name,
            middle_name=appointment.patient_middle_name,
            phone=appointment.patient_phone,
            birth_date=appointment.patient_birth_date,
            mis_id=appointment.patient_mis_id,
        )


def forget_cached_slots(appointments) -> None:
    """Drop the cached slots of the doctor-days these appointments touch, now
    and again after the commit (a reader in between may have cached the old day)."""
    doctor_days = [
        (a.doctor_id, day) for a in appointments for day in days_of(a.start, a.blocked_until)
    ]
    invalidate(doctor_days)
    transaction.on_commit(lambda: invalidate(doctor_days))


def hold_minutes() -> int:
    return settings.BOOKING_HOLD_MINUTES


def _expire(stale) -> int:
    stale = list(stale.only("pk", "doctor_id", "start", "blocked_until"))
    if not stale:
        return 0
    count = Appointment.objects.filter(
        pk__in=[a.pk for a in stale], status=Appointment.Status.HELD
    ).update(status=Appointment.Status.EXPIRED)
    forget_cached_slots(stale)
    signals.holds_expired.send(sender=Appointment, appointments=stale)
    announce_freed(stale)
    return count


def announce_freed(freed: list[Appointment]) -> None:
    """After the commit, tell of each freed time (the waitlist offers it on)."""
    for appointment in freed:
        transaction.on_commit(
            lambda a=appointment: signals.time_freed.send(
                sender=Appointment, doctor_id=a.doctor_id, start=a.start
            )
        )


def expire_holds(*, now: datetime | None = None) -> int:
    """Mark every hold past its time as expired (beat runs this every minute)."""
    with transaction.atomic():
        return _expire(
            Appointment.objects.filter(
                status=Appointment.Status.HELD, hold_expires_at__lte=now or timezone.now()
            )
        )


# No MIS schedules further ahead than this; a later time is never a slot.
MAX_DAYS_AHEAD = 366


def hold_slot(
    *,
    doctor: Doctor,
    service: Service,
    start: datetime,
    idempotency_key: str | None = None,
    channel: str = Appointment.Channel.SITE,
    patient=None,
    now: datetime | None = None,
) -> Appointment:
    """Hold a free slot for a few minutes; raises SlotUnavailable with alternatives."""
    now = now or timezone.now()
    policy = slot_policy()
    duration = timedelta(minutes=service.duration_minutes)
    if not directory().provides(doctor.pk, service.pk):
        raise NotBookable(_("This doctor or service is not bookable."))
    if start <= now:
        raise NotBookable(_("This time has already passed."))
    if start > now + timedelta(days=MAX_DAYS_AHEAD):
        raise NotBookable(_("This time is too far ahead to be booked."))
    end = start + duration
    blocked_until = end + timedelta(minutes=policy.buffer_minutes)
    near = slots_near(doctor=doctor, service=service, around=start, now=now)
    # The slot cache knows the schedule (a sync that changes a day forgets
    # it); appointments are checked again under the lock below, and a twin of
    # this request is caught by the idempotency key's unique index.
    slot = next((s for s in near if s.start == start), None)
    if slot is None:
        # The cache says the time is gone. When an active appointment here
        # takes it, that is the answer, at the price of one indexed query
        # (which also finds a first try of this same request): in a rush for
        # one time, nearly every request ends here.
        clashing_keys = keys_taking(
            doctor_id=doctor.pk,
            start=start,
            blocked_until=blocked_until,
            now=now,
            key=idempotency_key,
        )
        if idempotency_key and idempotency_key in clashing_keys:
            existing = _by_key(idempotency_key)
            return _same_request(existing, doctor=doctor, service=service, start=start)
        if clashing_keys:
            raise SlotUnavailable(
                alternatives=nearest_free_slots(
                    doctor=doctor, service=service, around=start, near=near
                )
            )
        try:
            slot = _slot_by_schedule(
                doctor=doctor, service=service, start=start, policy=policy, now=now
            )
        except SlotUnavailable:
            # A twin of this request may have held it between our two looks.
            existing = _by_key(idempotency_key)
            if existing is not None:
                return _same_request(existing, doctor=doctor, service=service, start=start)
            raise
    try:
        with transaction.atomic():
            Doctor.objects.select_for_update().only("pk").get(pk=doctor.pk)
            # [start, blocked_until) ranges overlap: the same test as the
            # PostgreSQL exclusion constraint, buffers included on both sides.
            # (A twin of this request is caught by the idempotency key's
            # unique index at the insert: see IntegrityError below.)
            overlapping = list(
                Appointment.objects.filter(
                    doctor=doctor,
                    status__in=Appointment.ACTIVE,
                    start__lt=blocked_until,
                    blocked_until__gt=start,
                ).values_list("pk", "status", "hold_expires_at")
            )
            stale = [
                pk
                for pk, status, expires in overlapping
                if status == Appointment.Status.HELD and expires <= now
            ]
            if len(stale) < len(overlapping):
                raise SlotUnavailable
            if stale:
                # Holds past their time that the beat has not expired yet.
                _expire(Appointment.objects.filter(pk__in=stale))
            appointment = Appointment.objects.create(
                idempotency_key=idempotency_key,
                doctor=doctor,
                service=service,
                branch=slot.branch,
                start=start,
                end=end,
                blocked_until=blocked_until,
                status=Appointment.Status.HELD,
                hold_expires_at=now + timedelta(minutes=hold_minutes()),
                channel=channel,
                patient=patient if getattr(patient, "is_authenticated", False) else None,
            )
            forget_cached_slots([appointment])
            return appointment
    except SlotUnavailable:
        # Lost under the lock, maybe to a twin of this very request.
        existing = _by_key(idempotency_key)
        if existing is not None:
            return _same_request(existing, doctor=doctor, service=service, start=start)
        raise SlotUnavailable(
            alternatives=nearest_free_slots(doctor=doctor, service=service, around=start)
        ) from None
    except IntegrityError:
        # The exclusion constraint (or the idempotency key) caught what the
        # check could not see: treat it exactly like a lost race.
        existing = _by_key(idempotency_key)
        if existing is not None:
            return _same_request(existing, doctor=doctor, service=service, start=start)
        raise SlotUnavailable(
            alternatives=nearest_free_slots(doctor=doctor, service=service, around=start)
        ) from None


def _by_key(idempotency_key: str | None) -> Appointment | None:
    if not idempotency_key:
        return None
    return Appointment.objects.filter(idempotency_key=idempotency_key).first()


def _slot_by_schedule(*, doctor: Doctor, service: Service, start: datetime, policy, now):
    """The slot at `start` from the schedule itself (the cache may be a moment
    old); raises SlotUnavailable when it is taken, NotBookable when it never was."""
    candidates = doctor_free_slots(
        doctor=doctor,
        service=service,
        start=start,
        end=start + timedelta(seconds=1),
        policy=policy,
        now=now,
    )
    slot = next((s for s in candidates if s.start == start), None)
    if slot is not None:
        return slot
    alternatives = nearest_free_slots(doctor=doctor, service=service, around=start)
    if _is_schedule_slot(doctor=doctor, service=service, start=start):
        raise SlotUnavailable(alternatives=alternatives)
    raise NotBookable(alternatives=alternatives)


def _same_request(existing: Appointment, *, doctor, service, start) -> Appointment:
    if (existing.doctor_id, existing.service_id, existing.start) != (
        doctor.pk,
        service.pk,
        start,
    ):
        raise IdempotencyConflict
    return existing


def _is_schedule_slot(*, doctor: Doctor, service: Service, start: datetime) -> bool:
    """Would `start` be a slot if nothing were booked? (taken vs. never a slot)"""
    return any(
        s.start == start
        for s in doctor_free_slots(
            doctor=doctor,
            service=service,
            start=start,
            end=start + timedelta(seconds=1),
            include_busy=False,
        )
    )


def confirm(
    *,
    appointment: Appointment,
    patient: PatientDetails,
    consent: ConsentGiven | None,
    user=None,
    now=None,
    check_limits: bool = True,
    write_now: bool = False,
) -> Appointment:
    """The patient confirms the hold: it is written to the MIS through the outbox.

    `consent` is the agreement to the processing of personal data the booking
    is made with; none is refused (ConsentMissing). `user` is the account the
    booking belongs to (the one logged in, or the account whose verified phone
    a guest booked with): it sees and manages it in the cabinet.

    With write_now, the MIS write is tried at once after the commit (the
    patient waits a moment for a real answer) and handed to a worker only
    when the MIS did not take it; else a worker writes it. Confirming twice
    returns the appointment as it is.
    """
    now = now or timezone.now()
    with transaction.atomic():
        appointment = _with_relations(Appointment.objects.select_for_update(of=("self",))).get(
            pk=appointment.pk
        )
        if appointment.status in (Appointment.Status.AWAITING, Appointment.Status.CONFIRMED):
            return appointment
        if appointment.status == Appointment.Status.HELD and appointment.hold_expires_at <= now:
            appointment.status = Appointment.Status.EXPIRED
            appointment.save(update_fields=["status", "updated_at"])
        if appointment.status == Appointment.Status.EXPIRED:
            raise HoldExpired(
                alternatives=nearest_free_slots(
                    doctor=appointment.doctor,
                    service=appointment.service,
                    around=appointment.start,
                )
            )
        if appointment.status != Appointment.Status.HELD:
            raise WrongState
        if consent is None:
            raise ConsentMissing
        if check_limits:
            _check_limits(appointment=appointment, phone=patient.phone, now=now)
        for name, value in consent.fields().items():
            setattr(appointment, name, value)
        appointment.patient_mis_id = patient.mis_id
        appointment.patient_last_name = patient.last_name
        appointment.patient_first_name = patient.first_name
        appointment.patient_middle_name = patient.middle_name
        appointment.patient_phone = patient.phone
        appointment.patient_birth_date = patient.birth_date
        if user is not None and getattr(user, "is_authenticated", False):
            appointment.patient = user
        appointment.status = Appointment.Status.AWAITING
        appointment.hold_expires_at = None
        appointment.save()
        message = outbox.enqueue(
            topic="mis.book",
            key=_book_key(appointment),
            payload={"appointment": appointment.pk},
            to_worker=not write_now,
        )
    if write_now:
        if outbox.deliver(message.pk) == OutboxMessage.Status.PENDING:
            outbox.schedule(message.pk)
        return _with_relations(Appointment.objects).get(pk=appointment.pk)
    return appointment


def _with_relations(appointments):
    return appointments.select_related("doctor", "service", "branch")


def _check_limits(*, appointment: Appointment, phone: str, now: datetime) -> None:
    """One phone number cannot book a specialty out, nor churn holds (one query)."""
    through = Doctor.specialties.through
    same_specialty = through.objects.filter(
        specialty_id__in=through.objects.filter(doctor_id=appointment.doctor_id).values(
            "specialty_id"
        )
    ).values("doctor_id")
    counts = (
        Appointment.objects.filter(patient_phone=phone)
        .exclude(pk=appointment.pk)
        .aggregate(
            active=Count(
                "pk",
                filter=Q(
                    status__in=(Appointment.Status.AWAITING, Appointment.Status.CONFIRMED),
                    start__gt=now,
                    doctor_id__in=same_specialty,
                ),
            ),
            recent=Count("pk", filter=Q(updated_at__gte=now - timedelta(hours=1))),
        )
    )
    if counts["active"] >= settings.BOOKING_MAX_ACTIVE_PER_SPECIALTY:
        raise LimitReached(
            _(
                "You already have %(count)s upcoming visits in this specialty. "
                "Cancel one of them or call the clinic."
            )
            % {"count": counts["active"]}
        )
    if counts["recent"] >= settings.BOOKING_MAX_HOLDS_PER_PHONE_HOUR:
        raise LimitReached(
            _("Too many bookings from this phone number in an hour. Please call us.")
        )


def _book_key(appointment: Appointment) -> str:
    return f"book-{appointment.public_id}"


def _check_cutoff(appointment: Appointment, now: datetime) -> None:
    cutoff = timedelta(hours=settings.BOOKING_CANCEL_CUTOFF_HOURS)
    if appointment.status != Appointment.Status.HELD and appointment.start - now < cutoff:
        raise WrongState(
            _(
                "Appointments can be cancelled or moved online until %(hours)s h before the "
                "visit; please call the clinic."
            )
            % {"hours": settings.BOOKING_CANCEL_CUTOFF_HOURS}
        )


def cancel(
    *, appointment: Appointment, now=None, enforce_cutoff: bool = True, notify: bool = True
) -> Appointment:
    """Cancel a held or booked appointment; the MIS frees the time too.

    The patient of a booked visit gets an SMS saying so (`notify=False`: a
    reschedule, whose own SMS tells of the move)."""
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if appointment.status in (
            Appointment.Status.CANCELLED,
            Appointment.Status.EXPIRED,
            Appointment.Status.REJECTED,
        ):
            return appointment
        if not appointment.is_active:
            raise WrongState
        if enforce_cutoff:
            _check_cutoff(appointment, now or timezone.now())
        was_sent = appointment.status != Appointment.Status.HELD
        appointment.status = Appointment.Status.CANCELLED
        appointment.save(update_fields=["status", "updated_at"])
        forget_cached_slots([appointment])
        if not was_sent:
            announce_freed([appointment])  # else once the MIS has freed it too
        if was_sent:
            outbox.enqueue(
                topic="mis.cancel",
                key=f"cancel-{appointment.public_id}",
                payload={"appointment": appointment.pk},
            )
            if notify:
                appointment_cancelled(appointment)
    return appointment


def reschedule(*, appointment: Appointment, start: datetime, now=None) -> Appointment:
    """Move a booked visit to another free time of the same doctor and service.

    The new appointment is booked like any other; the old one is cancelled
    only when the MIS has confirmed the new one, so a refusal loses nothing.
    """
    now = now or timezone.now()
    if appointment.status not in (Appointment.Status.AWAITING, Appointment.Status.CONFIRMED):
        raise WrongState
    _check_cutoff(appointment, now)
    new = hold_slot(
        doctor=appointment.doctor,
        service=appointment.service,
        start=start,
        channel=appointment.channel,
        now=now,
    )
    Appointment.objects.filter(pk=new.pk).update(replaces=appointment, patient=appointment.patient)
    return confirm(
        appointment=new,
        patient=PatientDetails.of(appointment),
        # (Visits booked before consents were stored carry none: the move keeps
        # the booking the patient made.)
        consent=ConsentGiven.stored_on(appointment)
        or ConsentGiven.to_current(ip=None, via="legacy", now=now),
        user=appointment.patient,
        now=now,
        check_limits=False,
    )


def revoke_links(*, appointment: Appointment, text_new_link: bool = False) -> Appointment:
    """Every manage link of this appointment sent so far stops working at once
    (booking.links checks the version they carry). With `text_new_link` the
    booking's phone gets the one link that works from now on: whoever has
    that phone keeps the appointment, whoever only had an old link does not."""
    with transaction.atomic():
        Appointment.objects.filter(pk=appointment.pk).update(
            link_version=F("link_version") + 1, updated_at=timezone.now()
        )
        appointment.refresh_from_db(fields=["link_version", "updated_at"])
        if text_new_link and appointment.patient_phone:
            manage_link_renewed(appointment)
    return appointment
