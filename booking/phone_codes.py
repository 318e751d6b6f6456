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
    max_codes: int = MAX_CODES,
    resend_after: int = RESEND_AFTER_SECONDS,
) -> None:
    """Text a fresh code to `phone` for one confirmation named by `scope`
    (a held appointment, a registration, a consent...). `text` carries
    %(code)s; codes per scope are limited and spaced."""
    state = cache.get(_key(scope)) or {"sent": 0, "last": 0.0}
    if state["sent"] >= max_codes or time.time() - state["last"] < resend_after:
        raise PhoneCodeLimit
    code = f"{secrets.randbelow(10**6):06d}"
    send_sms(to=phone, text=text % {"code": code}, purpose=purpose)
    cache.set(
        _key(scope),
        {
            "sent": state["sent"] + 1,
            "last": time.time(),
            "phone": phone,
            "digest": _digest(scope, phone, code),
            "tries": 0,
            "until": time.time() + ttl,
        },
        timeout=ttl,
    )


def check_scoped_code(*, scope: str, phone: str, code: str) -> None:
    """Raise unless `code` is the last one texted to `phone` for `scope`;
    a right code is used up."""
    state = cache.get(_key(scope))
    if not state or "digest" not in state or state.get("phone") != phone:
        raise PhoneCodeError(_("Ask for a code for this phone number first."))
    if state["tries"] >= MAX_TRIES:
        raise PhoneCodeLimit(_("Too many wrong codes. Ask for a new code."))
    if not constant_time_compare(state["digest"], _digest(scope, phone, code.strip())):
        state["tries"] += 1
        cache.set(_key(scope), state, timeout=max(1, int(state["until"] - time.time())))
        raise PhoneCodeError
    cache.delete(_key(scope))


def _scope(appointment: Appointment) -> str:
    return f"booking:{appointment.public_id}"


def send_code(*, appointment: Appointment, phone: str) -> None:
    """Text a fresh code to `phone` for this held appointment."""
    if appointment.status != Appointment.Status.HELD:
        raise BookingError(_("This time is no longer held; choose a time again."))
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Code %(code)s to confirm your booking. Do not tell it to anyone.")
    ttl = max(60, int((appointment.hold_expires_at - timezone.now()).total_seconds()) + 60)
    send_scoped_code(
        scope=_scope(appointment), phone=phone, text=text, purpose="booking_code", ttl=ttl
    )


def check_code(*, appointment: Appointment, phone: str, code: str) -> None:
    """Raise unless `code` is the last one texted to `phone` for this appointment."""
    check_scoped_code(scope=_scope(appointment), phone=phone, code=code)
