"""Signed links a patient gets by SMS to manage an appointment without logging in."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "booking.manage"


def manage_path(appointment) -> str:
    return reverse(
        "booking-manage", args=[signing.Signer(salt=SALT).sign(str(appointment.public_id))]
    )


def manage_url(appointment) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + manage_path(appointment)


def public_id_from(signed: str) -> str | None:
    """The appointment's public id, or None for a link that was not ours."""
    try:
        return signing.Signer(salt=SALT).unsign(signed)
    except signing.BadSignature:
        return None
