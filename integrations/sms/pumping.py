"""Guards against SMS pumping: codes that anyone can ask for (registration,
a guest's booking, a password reset, a login) go only to the countries the
clinic serves, and are capped per requesting client and overall per hour.

Without them a stranger scripts the registration form to text premium
numbers around the world (+882, +881, +234 ...) at the clinic's expense.
Settings: SMS_ALLOWED_COUNTRIES (ISO 3166 regions, "RU" by default; "*"
allows every country), SMS_CODES_PER_CLIENT_PER_HOUR, SMS_CODES_PER_HOUR.
Messages the clinic sends on its own (reminders, results) are not capped here.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.utils.translation import gettext as _

import phonenumbers

from clinic_site import limits

HOUR = 3600


class SmsRefused(Exception):
    """No code goes out; `message` says why, for the person asking."""

    def __init__(self, message: str, *, status: int = 429):
        super().__init__(message)
        self.message = message
        self.status = status

    def __str__(self) -> str:
        return self.message


def region_of(phone: str) -> str:
    """The ISO region of an E.164 number ("RU"), or "" when it has none."""
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(phone))
    except phonenumbers.NumberParseException:
        return ""
    return region if region and region != "001" else ""  # 001: non-geographic (+882...)


def allowed_countries() -> list[str]:
    return [code.strip().upper() for code in settings.SMS_ALLOWED_COUNTRIES if code.strip()]


def check_country(phone: str) -> None:
    """SmsRefused (400) unless `phone` is in an allowed country."""
    allowed = allowed_countries()
    if "*" in allowed:
        return
    if region_of(phone) not in allowed:
        raise SmsRefused(
            _(
                "We can send codes only to mobile numbers of %(countries)s. "
                "To use another number, please call the clinic."
            )
            % {"countries": ", ".join(_country_name(code) for code in allowed)},
            status=400,
        )


def _country_name(code: str) -> str:
    names = {"RU": _("Russia"), "BY": _("Belarus"), "KZ": _("Kazakhstan")}
    return str(names.get(code, code))


def take_code_sms(phone: str, *, client: str | None) -> None:
    """Count one code SMS to `phone` asked for by `client` (an address or
    another name of the requester; None when the number is an account's own,
    confirmed at registration, reached after its password: then only the
    site-wide cap applies, so a patient whose number is abroad still logs
    in); SmsRefused when it must not go out."""
    if client:
        check_country(phone)
        digest = hashlib.sha256(client.encode()).hexdigest()[:32]
        try:
            limits.take(
                f"sms-codes-client:{digest}",
                limit=settings.SMS_CODES_PER_CLIENT_PER_HOUR,
                seconds=HOUR,
            )
        except limits.LimitReached:
            raise SmsRefused(
                _(
                    "Too many codes were asked for from your network in the last hour. "
                    "Please try again later or call the clinic."
                )
            ) from None
    try:
        limits.take("sms-codes-all", limit=settings.SMS_CODES_PER_HOUR, seconds=HOUR)
    except limits.LimitReached:
        raise SmsRefused(
            _(
                "The clinic cannot send more codes right now. "
                "Please try again in an hour or call the clinic."
            )
        ) from None
