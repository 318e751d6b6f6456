"""The keys of CLINIC_FIELD_KEYS (newest first) and the keys derived from them per purpose."""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def configured_keys() -> tuple[str, ...]:
    """The Fernet keys, newest first; outside production one derived from SECRET_KEY."""
    keys = tuple(key.strip() for key in settings.CLINIC_FIELD_KEYS if key.strip())
    if keys:
        return keys
    if settings.PRODUCTION:
        raise ImproperlyConfigured("CLINIC_FIELD_KEYS must be set when CLINIC_ENV=production.")
    # Outside production only: a stable key derived from SECRET_KEY.
    digest = hashlib.sha256(b"clinic-field-key:" + settings.SECRET_KEY.encode()).digest()
    return (base64.urlsafe_b64encode(digest).decode(),)


def derived_keys(purpose: str) -> tuple[bytes, ...]:
    """One 32-byte key for `purpose` per field key, newest first.

    Each is HMAC-SHA256(field key, purpose): the keyed hashes and the wrapped
    second-factor seeds never use a field key itself, and rotating the field
    keys rotates these with them.
    """
    return _derived(configured_keys(), purpose)


@lru_cache(maxsize=32)
def _derived(keys: tuple[str, ...], purpose: str) -> tuple[bytes, ...]:
    derived = []
    for key in keys:
        try:
            raw = base64.urlsafe_b64decode(key.encode())
        except ValueError as error:
            raise bad_key_error() from error
        if len(raw) != 32:
            raise bad_key_error()
        derived.append(hmac.new(raw, b"clinic:" + purpose.encode(), hashlib.sha256).digest())
    return tuple(derived)


def bad_key_error() -> ImproperlyConfigured:
    return ImproperlyConfigured(
        "CLINIC_FIELD_KEYS: every key must be 32 url-safe base64-encoded bytes "
        "(Fernet.generate_key())."
    )
