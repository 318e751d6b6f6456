"""Lockout after repeated failed logins, per username and IP address.

Every failed password (any login form: the cabinet's, Wagtail's, Django's
admin) counts through Django's `user_login_failed` signal; after
LOGIN_FAILURE_LIMIT failures within LOGIN_LOCKOUT_MINUTES that username is
refused from that address, even with the right password, until the lock ends.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest

from clinic_site.client import client_ip


def _key(username: str, ip: str) -> str:
    digest = hashlib.sha256(f"{username.strip().casefold()}|{ip}".encode()).hexdigest()[:32]
    return f"login-failures:{digest}"


def is_locked(username: str, request: HttpRequest | None) -> bool:
    failures = cache.get(_key(username or "", client_ip(request)), 0)
    return failures >= settings.LOGIN_FAILURE_LIMIT


def record_failure(username: str, request: HttpRequest | None) -> int:
    key = _key(username or "", client_ip(request))
    cache.add(key, 0, timeout=settings.LOGIN_LOCKOUT_MINUTES * 60)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=settings.LOGIN_LOCKOUT_MINUTES * 60)
        return 1


def clear_failures(username: str, request: HttpRequest | None) -> None:
    cache.delete(_key(username or "", client_ip(request)))


class LockoutModelBackend(ModelBackend):
    """Django's model backend that refuses a locked username + address."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field(), "")
        if is_locked(username or "", request):
            raise PermissionDenied  # authenticate() stops here and reports a failure
        return super().authenticate(request, username=username, password=password, **kwargs)

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD


@receiver(user_login_failed)
def _count_failure(sender, credentials, request=None, **kwargs):
    record_failure(credentials.get("username", ""), request)


@receiver(user_logged_in)
def _forget_failures(sender, request, user, **kwargs):
    clear_failures(user.get_username(), request)
