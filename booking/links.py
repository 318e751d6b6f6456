"""Signed links a patient gets by SMS: manage an appointment without logging in,
take a waitlist offer. How they are signed and how long they live is decided here.

A manage link carries the appointment's public id and its link version. It
opens the appointment while it is active (held, awaiting, confirmed) and
its visit has not ended. A cancelled visit's link dies, and so does the old
link of a moved visit once the new time is confirmed (the old appointment is
cancelled then; the new one has links of its own). Revoking
(services.revoke_links) bumps the version: every link sent before dies.

An offer link works while the offered time is held for the patient.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from booking.models import Appointment, WaitlistEntry

SALT = "booking.manage"
OFFER_SALT = "booking.waitlist-offer"


class DeadLink(Exception):
    """A link that no longer opens anything; `status` is the page's HTTP status."""

    status = 410


class ForgedLink(DeadLink):
    """A link we never signed: typed, guessed or altered."""

    status = 404


def _unsigned(signed: str, salt: str) -> str:
    try:
        return signing.Signer(salt=salt).unsign(signed)
    except signing.BadSignature:
        raise ForgedLink from None


def manage_path(appointment: Appointment) -> str:
    value = f"{appointment.public_id}.{appointment.link_version}"
    return reverse("booking-manage", args=[signing.Signer(salt=SALT).sign(value)])


def manage_url(appointment: Appointment) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + manage_path(appointment)


def manage_appointment(signed: str, *, now: datetime | None = None) -> Appointment:
    """The appointment a manage link opens now; DeadLink when it opens nothing."""
    # Links texted before versions existed carry the bare public id: version 0.
    public_id, _, version = _unsigned(signed, SALT).partition(".")
    appointment = (
        Appointment.objects.select_related("doctor", "service", "branch")
        .filter(public_id=public_id)
        .first()
    )
    if (
        appointment is None
        or (version or "0") != str(appointment.link_version)
        or not appointment.is_active
        or appointment.end <= (now or timezone.now())
    ):
        raise DeadLink
    return appointment


def offer_path(entry: WaitlistEntry) -> str:
    signed = signing.Signer(salt=OFFER_SALT).sign(str(entry.public_id))
    return reverse("booking-offer", args=[signed])


def offer_entry(signed: str, *, now: datetime | None = None) -> WaitlistEntry:
    """The waitlist entry an offer link opens: only while its offered time is
    held for the patient (after that the booking has its own manage link);
    DeadLink otherwise."""
    entry = (
        WaitlistEntry.objects.filter(public_id=_unsigned(signed, OFFER_SALT))
        .select_related("offer__doctor", "offer__service", "offer__branch")
        .first()
    )
    offer = entry.offer if entry is not None else None
    if (
        offer is None
        or entry.status != WaitlistEntry.Status.OFFERED
        or offer.status != Appointment.Status.HELD
        or offer.hold_expires_at <= (now or timezone.now())
    ):
        raise DeadLink
    return entry
