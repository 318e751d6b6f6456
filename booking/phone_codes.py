"""SMS codes that confirm a guest's phone before a booking is written.

A code is six digits, lives as long as the hold, is kept only as a salted
hash in the cache, and allows a few wrong tries; codes per appointment are
limited and spaced, so the SMS gateway cannot be used to spam a number.
"""

from __future__ import annotations

import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from booking.models import Appointment
from booking.services import BookingError
from clinic_site import limits
from integrations.sms import pumping
from integrations.sms.services import send_sms

MAX_CODES = 3
RESEND_AFTER_SECONDS = 60
MAX_TRIES = 5


class PhoneCodeError(BookingError):
    """The phone confirmation code is wrong or missing."""

    code = "phone_code_invalid"
    status = 400
    default_message = gettext_lazy("The code is wrong. Check the SMS or ask for a new code.")


class PhoneCodeLimit(BookingError):
    """Too many codes or tries."""

    code = "phone_code_limit"
    status = 429
    default_message = gettext_lazy("Too many codes. Please wait a minute or call us.")


class PhoneCodeRefused(BookingError):
    """No code goes to this number or for this client (integrations.sms.pumping)."""

    code = "phone_code_refused"
    status = 429

    def __init__(self, message: str, *, status: int = 429):
        super().__init__(message)
        self.status = status


def _key(scope: str) -> str:
    return f"phone-code:{scope}"


def _digest(scope: str, phone: str, code: str) -> str:
    return salted_hmac("booking.phone-code", f"{scope}:{phone}:{code}").hexdigest()


def send_scoped_code(
    *,
    scope: str,
    phone: str,
    text: str,
    purpose: str,
    ttl: int,
    client: str | None,
    max_codes: int = MAX_CODES,
    resend_after: int = RESEND_AFTER_SECONDS,
) -> None:
    """Text a fresh code to `phone` for one confirmation named by `scope`
    (a held appointment, a registration, a consent...), asked for by `client`
    (the requester's address or name, for the SMS-pumping caps). `text`
    carries %(code)s; codes per scope are limited and spaced, counted
    atomically before the SMS goes out."""
    if not cache.add(f"phone-code-spacing:{scope}", 1, timeout=resend_after):
        raise PhoneCodeLimit
    try:
        limits.take(f"phone-code-sent:{scope}", limit=max_codes, seconds=ttl)
        pumping.take_code_sms(phone, client=client)
    except limits.LimitReached:
        raise PhoneCodeLimit from None
    except pumping.SmsRefused as refused:
        raise PhoneCodeRefused(refused.message, status=refused.status) from None
    code = f"{secrets.randbelow(10**6):06d}"
    send_sms(to=phone, text=text % {"code": code}, purpose=purpose)
    cache.set(
        _key(scope),
        {"phone": phone, "digest": _digest(scope, phone, code), "until": time.time() + ttl},
        timeout=ttl,
    )
    limits.forget(f"phone-code-tries:{scope}")  # a new code, a new set of tries


def check_scoped_code(*, scope: str, phone: str, code: str) -> None:
    """Raise unless `code` is the last one texted to `phone` for `scope`;
    a right code is used up. Each try is counted before the comparison."""
    state = cache.get(_key(scope))
    if not state or "digest" not in state or state.get("phone") != phone:
        raise PhoneCodeError(_("Ask for a code for this phone number first."))
    try:
        limits.take(
            f"phone-code-tries:{scope}",
            limit=MAX_TRIES,
            seconds=max(1, int(state["until"] - time.time())),
        )
    except limits.LimitReached:
        raise PhoneCodeLimit(_("Too many wrong codes. Ask for a new code.")) from None
    if not constant_time_compare(state["digest"], _digest(scope, phone, code.strip())):
        raise PhoneCodeError
    # Used up: of parallel right tries only the one that deletes the code passes.
    if not cache.delete(_key(scope)):
        raise PhoneCodeError


def _scope(appointment: Appointment) -> str:
    return f"booking:{appointment.public_id}"


def send_code(*, appointment: Appointment, phone: str, client: str | None) -> None:
    """Text a fresh code to `phone` for this held appointment."""
    if appointment.status != Appointment.Status.HELD:
        raise BookingError(_("This time is no longer held; choose a time again."))
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Code %(code)s to confirm your booking. Do not tell it to anyone.")
    ttl = max(60, int((appointment.hold_expires_at - timezone.now()).total_seconds()) + 60)
    send_scoped_code(
        scope=_scope(appointment),
        phone=phone,
        text=text,
        purpose="booking_code",
        ttl=ttl,
        client=client,
    )


def check_code(*, appointment: Appointment, phone: str, code: str) -> None:
    """Raise unless `code` is the last one texted to `phone` for this appointment."""
    check_scoped_code(scope=_scope(appointment), phone=phone, code=code)
