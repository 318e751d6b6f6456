"""E.164 phone numbers: the only form the SMS layer accepts."""

import re

E164 = re.compile(r"\+[1-9]\d{7,14}")


class InvalidPhone(ValueError):
    """Not an E.164 number."""


def validate_e164(phone: str) -> str:
    """The number itself when it is E.164 (+, country code, 8 to 15 digits in all)."""
    value = phone.strip() if isinstance(phone, str) else ""
    if not E164.fullmatch(value):
        raise InvalidPhone(
            f"{phone!r} is not a phone number in E.164 form: '+', the country code and "
            "the number, digits only, 8 to 15 digits in all (e.g. +79001234567)."
        )
    return value
