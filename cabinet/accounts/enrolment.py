"""A staff member's first second-factor device: only through the clinic.

A staff account without a device used to sign in with its password alone and
then enrol its own authenticator: whoever knew the password owned the
account. Now the password alone never signs a staff member in. Until a
device is confirmed, the account gets in to set one up only

- with an enrolment link the clinic's administrator issued
  (`manage.py staff_enrolment_link <username>`, or the user admin's action):
  one use, since it is signed over the account's last login, and it expires
  after STAFF_ENROLMENT_LINK_HOURS; or
- with a code texted to the phone on the account (set by the administrator),
  after the password.

Such a session is logged in but not verified: the middleware lets it reach
only the TOTP setup, and the API does not accept it (api_auth.py).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode

from cabinet.accounts.models import User

LINK_SESSION_KEY = "staff_enrolment_link"
CODE_SESSION_KEY = "staff_enrolment_code"


class _EnrolmentTokens(PasswordResetTokenGenerator):
    """Django's reset-token scheme: a timestamp and an HMAC over the user's
    id, password hash and last login; the first login with it spends it."""

    key_salt = "cabinet.accounts.enrolment"

    @property
    def _timeout(self) -> int:
        return settings.STAFF_ENROLMENT_LINK_HOURS * 3600

    def check_token(self, user, token) -> bool:
        # The parent also refuses tokens older than PASSWORD_RESET_TIMEOUT.
        try:
            issued = base36_to_int(str(token).split("-")[0])
        except ValueError:
            return False
        if self._num_seconds(self._now()) - issued > self._timeout:
            return False
        return super().check_token(user, token)

    def _make_hash_value(self, user, timestamp) -> str:
        login = (
            "" if user.last_login is None else user.last_login.replace(microsecond=0, tzinfo=None)
        )
        return f"{user.pk}{user.password}{login}{timestamp}{user.is_active}"


tokens = _EnrolmentTokens()


def needs_enrolment(user) -> bool:
    """A staff member with no device of any kind."""
    from django_otp import devices_for_user

    from cabinet.accounts.two_factor import is_staff_user

    return is_staff_user(user) and not any(True for _ in devices_for_user(user))


def link_path(user: User) -> str:
    """The path of a fresh enrolment link for `user` (the site's address goes in front)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("staff-enrolment-link", args=[uid, tokens.make_token(user)])


def user_of_link(uidb64: str, token: str) -> User | None:
    """The staff member a valid, unspent, unexpired link names, else None."""
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        return None
    if not user.is_active or not needs_enrolment(user) or not tokens.check_token(user, token):
        return None
    return user


def granted(request, user) -> bool:
    """Whether this session may sign `user` in to enrol: it came through
    `user`'s valid link, or it confirmed the code texted to `user`."""
    link = request.session.get(LINK_SESSION_KEY) or {}
    if link.get("user") == user.pk and user_of_link(link.get("uid", ""), link.get("token", "")):
        return True
    return (request.session.get(CODE_SESSION_KEY) or {}).get("verified_user") == user.pk
