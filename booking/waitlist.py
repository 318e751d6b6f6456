"""The waitlist: when a time frees up, the first patient in line gets it held
and an SMS with a link that books it in one tap."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.dispatch import receiver
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from booking import services, signals
from booking.consent import ConsentGiven
from booking.free_slots import doctor_free_slots
from booking.links import offer_path
from booking.models import Appointment, WaitlistEntry
from booking.selectors import default_service
from catalog.models import Doctor
from integrations.sms.phones import validate_e164
from integrations.sms.services import send_sms

logger = logging.getLogger(__name__)
MAX_WAITING_PER_PHONE = 3


def join(
    *,
    phone: str,
    last_name: str,
    first_name: str,
    doctor: Doctor | None = None,
    specialty=None,
    service=None,
    wanted_before: datetime | None = None,
    consent: ConsentGiven | None,
) -> WaitlistEntry:
    if doctor is None and specialty is None:
        raise services.BookingError(_("Choose a doctor or a specialty."))
    if consent is None:
        raise services.ConsentMissing
    phone = validate_e164(phone)
    waiting = WaitlistEntry.objects.filter(phone=phone, status=WaitlistEntry.Status.WAITING)
    if waiting.count() >= MAX_WAITING_PER_PHONE:
        raise services.LimitReached(_("This phone number is already waiting in three lines."))
    return WaitlistEntry.objects.create(
        doctor=doctor,
        specialty=specialty,
        service=service,
        wanted_before=wanted_before,
        phone=phone,
        last_name=last_name,
        first_name=first_name,
        **consent.fields(),
    )


@receiver(signals.time_freed)
def offer_freed_time(sender=None, *, doctor_id: int, start: datetime, **_kwargs) -> None:
    time_freed(doctor_id=doctor_id, start=start)


def time_freed(*, doctor_id: int, start: datetime, now: datetime | None = None) -> None:
    """A time of this doctor became free: offer it to the first in line."""
    now = now or timezone.now()
    doctor = Doctor.objects.filter(pk=doctor_id, is_active=True).first()
    if doctor is None or start <= now:
        return
    specialties = list(doctor.specialties.values_list("pk", flat=True))
    line = WaitlistEntry.objects.filter(status=WaitlistEntry.Status.WAITING).filter(
        Q(doctor=doctor) | Q(doctor__isnull=True, specialty__in=specialties)
    )
    for entry in line.order_by("created_at", "pk"):
        if entry.wanted_before and start >= entry.wanted_before:
            continue
        service = entry.service if entry.service_id else default_service(doctor)
        if service is None:
            continue
        slot = next(
            iter(
                doctor_free_slots(
                    doctor=doctor,
                    service=service,
                    start=start,
                    end=start + timedelta(hours=4),
                    now=now,
                )
            ),
            None,
        )
        if slot is None or (entry.wanted_before and slot.start >= entry.wanted_before):
            continue
        try:
            with transaction.atomic():
                offer = services.hold_slot(
                    doctor=doctor, service=service, start=slot.start, now=now
                )
                Appointment.objects.filter(pk=offer.pk).update(
                    hold_expires_at=now + timedelta(minutes=settings.BOOKING_WAITLIST_HOLD_MINUTES)
                )
                entry.status, entry.offer = WaitlistEntry.Status.OFFERED, offer
                entry.save(update_fields=["status", "offer"])
                _text_offer(entry, slot)
        except services.BookingError:
            continue
        return


def _text_offer(entry: WaitlistEntry, slot) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        text = _("An earlier time is free: %(doctor)s, %(when)s. Book it: %(url)s") % {
            "doctor": slot.doctor.full_name,
            "when": formats.date_format(slot.local_start, "j E, H:i"),
            "url": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + offer_path(entry),
        }
    send_sms(to=entry.phone, text=text, purpose="waitlist_offer")


@receiver(signals.holds_expired)
def offers_expired(sender=None, *, appointments: list[Appointment], **_kwargs) -> None:
    """Offers nobody took: close those entries and offer the time to the next."""
    ids = [a.pk for a in appointments]
    WaitlistEntry.objects.filter(offer_id__in=ids, status=WaitlistEntry.Status.OFFERED).update(
        status=WaitlistEntry.Status.CLOSED
    )


def accept(*, entry: WaitlistEntry) -> Appointment:
    """The patient followed the SMS link and books the offered time."""
    if entry.status == WaitlistEntry.Status.BOOKED:
        return entry.offer
    if entry.status != WaitlistEntry.Status.OFFERED or entry.offer is None:
        raise services.WrongState(_("This offer is no longer valid."))
    patient = services.PatientDetails(
        last_name=entry.last_name, first_name=entry.first_name, phone=entry.phone
    )
    appointment = services.confirm(
        appointment=entry.offer,
        patient=patient,
        consent=ConsentGiven.stored_on(entry) or ConsentGiven.to_current(ip=None, via="legacy"),
        write_now=True,
    )
    entry.status = WaitlistEntry.Status.BOOKED
    entry.save(update_fields=["status"])
    return appointment
