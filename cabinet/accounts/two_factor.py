"""The second factor: login codes through our SMS port, and who must have one.

Patients log in with password + a code texted to their phone
(django-two-factor-auth's phone device, sent by `SmsPortGateway`); staff log
into the Wagtail admin with password + a TOTP app. `SecondFactorMiddleware`
keeps anyone whose login was not verified by a second factor out of the
cabinet and the admin, and sends Django admin's login page to the staff login
(which serves /admin/ in place of Wagtail's own login form).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinic_site import limits
from integrations.sms import pumping
from integrations.sms.services import send_sms

HOUR = 3600  # the resend limit counts codes per number in this many seconds


class SmsCodeLimit(Exception):
    """This number got as many login codes as it may this hour (or the
    SMS-pumping guard refused it: then `message` says why)."""

    message = gettext_lazy(
        "Too many codes were sent to this number in the last hour. "
        "Please try again later or call the clinic."
    )

    def __init__(self, message: str = ""):
        super().__init__(message)
        if message:
            self.message = message

    def __str__(self) -> str:
        return str(self.message)


def take_login_sms(number: str) -> None:
    """Count one login code for `number` (atomically, before it is sent);
    SmsCodeLimit past LOGIN_SMS_PER_HOUR, or when the SMS-pumping guard refuses."""
    try:
        limits.take(f"login-sms:{number}", limit=settings.LOGIN_SMS_PER_HOUR, seconds=HOUR)
        # The number is the account's own, reached after its password: only
        # the site-wide cap applies.
        pumping.take_code_sms(number, client=None)
    except limits.LimitReached:
        raise SmsCodeLimit from None
    except pumping.SmsRefused as refused:
        raise SmsCodeLimit(refused.message) from None


def take_code_try(user) -> None:
    """Count one login code try of `user` before the code is checked;
    limits.LimitReached past LOGIN_CODE_TRIES within LOGIN_LOCKOUT_MINUTES."""
    limits.take(
        f"login-code:{user.pk}",
        limit=settings.LOGIN_CODE_TRIES,
        seconds=settings.LOGIN_LOCKOUT_MINUTES * 60,
    )


def forget_code_tries(user) -> None:
    limits.forget(f"login-code:{user.pk}")


class SmsPortGateway:
    """TWO_FACTOR_SMS_GATEWAY: login codes go out through integrations.sms."""

    def send_sms(self, device, token: str) -> None:
        number = str(device.number)
        take_login_sms(number)
        with translation.override(settings.LANGUAGE_CODE):
            text = _("Login code %(code)s. Do not tell it to anyone, not even the clinic.") % {
                "code": token
            }
        send_sms(to=number, text=text, purpose="login_code")

    def make_call(self, device, token: str) -> None:
        raise NotImplementedError("The clinic sends login codes by SMS only.")


def ensure_phone_device(user) -> None:
    """Give `user` the SMS device login codes go to (their account phone)."""
    from two_factor.plugins.phonenumber.models import PhoneDevice

    if not user.phone:
        return
    device = PhoneDevice.objects.filter(user=user, name="default").first()
    if device is None:
        PhoneDevice.objects.create(user=user, name="default", number=user.phone, method="sms")
    elif str(device.number) != user.phone:
        device.number = user.phone
        device.save(update_fields=["number"])


def is_verified(user) -> bool:
    return bool(user.is_authenticated and getattr(user, "is_verified", lambda: False)())


def is_staff_user(user) -> bool:
    return bool(user.is_staff or user.is_superuser or user.has_perm("wagtailadmin.access_admin"))


# Pages of the cabinet open before the second factor: logging in, registering,
# resetting the password, and a staff member's TOTP setup.
OPEN_CABINET_PREFIXES = (
    "/cabinet/login/",
    "/cabinet/logout/",
    "/cabinet/register/",
    "/cabinet/password-reset/",
    # A staff member without a device sets up TOTP (nothing else of the
    # two-factor profile, e.g. disabling it, opens before the second factor).
    "/cabinet/account/two_factor/setup/",
    "/cabinet/account/two_factor/qrcode/",
)
ADMIN_PREFIXES = ("/admin/", "/django-admin/")
# The staff login (cabinet.accounts.views.StaffLoginView) is served at Wagtail's
# own login address, so Wagtail's redirects and links reach it; Django admin's
# login form would skip the second factor and is sent there.
STAFF_LOGIN_PATH = "/admin/login/"
ADMIN_LOGIN_REDIRECTS = ("/django-admin/login/",)


def login_url(next_url: str) -> str:
    return f"{reverse('cabinet:login')}?{urlencode({'next': next_url})}"


def staff_login_url(next_url: str) -> str:
    return f"{reverse('staff-login')}?{urlencode({'next': next_url})}"


class SecondFactorMiddleware:
    """Nobody reaches the cabinet or the admin on a password alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if path in ADMIN_LOGIN_REDIRECTS:
            return redirect(staff_login_url(request.GET.get("next") or "/admin/"))
        user = request.user
        if user.is_authenticated and not is_verified(user):
            if path.startswith(ADMIN_PREFIXES) and path != STAFF_LOGIN_PATH:
                if not _has_device(user):
                    return redirect("two_factor:setup")
                return redirect(staff_login_url(request.get_full_path()))
            if path.startswith("/cabinet/") and not path.startswith(OPEN_CABINET_PREFIXES):
                return redirect(login_url(request.get_full_path()))
        return self.get_response(request)


def _has_device(user) -> bool:
    from django_otp import devices_for_user

    return any(True for _ in devices_for_user(user))
