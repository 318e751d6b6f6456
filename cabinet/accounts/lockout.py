"""Lockout after repeated failed logins, per username and IP address.

Every password try on any login form (the cabinet's, Wagtail's, Django's
admin: they all authenticate through `LockoutModelBackend`) takes a try from
an atomic counter *before* the password is hashed and compared; past
LOGIN_FAILURE_LIMIT tries within LOGIN_LOCKOUT_MINUTES that username is
refused from that address, even with the right password, until the window
ends. A right password forgets the tries.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from clinic_site import limits
from clinic_site.client import client_ip


def _key(username: str, ip: str) -> str:
    digest = hashlib.sha256(f"{username.strip().casefold()}|{ip}".encode()).hexdigest()[:32]
    return f"login-password:{digest}"


def is_locked(username: str, request: HttpRequest | None) -> bool:
    """Whether the next try would be refused (for the form's message)."""
    tries = limits.used(_key(username or "", client_ip(request)))
    return tries >= settings.LOGIN_FAILURE_LIMIT


def was_refused(username: str, request: HttpRequest | None) -> bool:
    """Whether a try just made was refused by the limit (not by the password)."""
    tries = limits.used(_key(username or "", client_ip(request)))
    return tries > settings.LOGIN_FAILURE_LIMIT


def take_try(username: str, request: HttpRequest | None) -> None:
    """Count one password try; LimitReached when the login is locked."""
    limits.take(
        _key(username or "", client_ip(request)),
        limit=settings.LOGIN_FAILURE_LIMIT,
        seconds=settings.LOGIN_LOCKOUT_MINUTES * 60,
    )


def clear_failures(username: str, request: HttpRequest | None) -> None:
    limits.forget(_key(username or "", client_ip(request)))


class LockoutModelBackend(ModelBackend):
    """Django's model backend that counts every try and refuses a locked
    username + address before it checks the password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field(), "")
        try:
            take_try(username or "", request)
        except limits.LimitReached:
            raise PermissionDenied from None  # authenticate() stops and reports a failure
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            clear_failures(username or "", request)
        return user

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD
