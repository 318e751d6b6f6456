"""Forms of registration, login and password reset (Russian through the catalogue)."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from two_factor.forms import AuthenticationTokenForm, BackupTokenForm

from cabinet.accounts import lockout
from cabinet.accounts.two_factor import forget_code_tries, is_staff_user, take_code_try
from clinic_site import limits
from integrations.sms.phones import InvalidPhone, validate_e164


def normalize_phone(value: str) -> str:
    """+7 (999) 000-00-01, 8 999 000 00 01 or +79990000001 -> +79990000001."""
    digits = re.sub(r"[\s\-()]", "", value or "")
    if re.fullmatch(r"8\d{10}", digits):
        digits = "+7" + digits[1:]
    elif re.fullmatch(r"7\d{10}", digits):
        digits = "+" + digits
    return validate_e164(digits)


class PhoneField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Mobile phone"))
        kwargs.setdefault("max_length", 24)
        super().__init__(**kwargs)
        self.widget.attrs.update({"type": "tel", "autocomplete": "tel", "inputmode": "tel"})

    def clean(self, value):
        value = super().clean(value)
        try:
            return normalize_phone(value)
        except InvalidPhone:
            raise forms.ValidationError(
                _("Enter a mobile number with the country code, e.g. +7 999 123-45-67.")
            ) from None


class CodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Code from the SMS"))
        kwargs.setdefault("max_length", 6)
        kwargs.setdefault("min_length", 6)
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        )


class PhoneForm(forms.Form):
    phone = PhoneField()


class CodeForm(forms.Form):
    code = CodeField()


class PasswordPairMixin(forms.Form):
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_password2(self):
        one, two = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if one and two and one != two:
            raise forms.ValidationError(_("The two passwords differ."))
        if two:
            password_validation.validate_password(two, self.password_user())
        return two

    def password_user(self):
        return None


class RegistrationForm(PasswordPairMixin):
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    first_name = forms.CharField(label=_("First name"), max_length=100)
    birth_date = forms.DateField(
        label=_("Birth date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        error_messages={"invalid": _("Enter the date as DD.MM.YYYY.")},
    )
    field_order = ["last_name", "first_name", "birth_date", "password1", "password2"]

    def clean_birth_date(self):
        born = self.cleaned_data["birth_date"]
        today = timezone.localdate()
        if born > today or born.year < 1900:
            raise forms.ValidationError(_("Check the birth date."))
        return born


class PasswordResetForm(PasswordPairMixin):
    code = CodeField()
    field_order = ["code", "password1", "password2"]

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def password_user(self):
        return self.user


class LockoutAuthenticationForm(AuthenticationForm):
    """Django's login form that names a lockout instead of a wrong password."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _(
            "Too many failed attempts. The login is locked for %(minutes)s minutes; "
            "try later or restore the password by SMS."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Phone or login")

    def clean(self):
        from django.conf import settings

        username = self.cleaned_data.get("username") or ""
        try:
            username = normalize_phone(username)
            self.cleaned_data["username"] = username
        except InvalidPhone:
            pass  # staff log in with a username
        locked = forms.ValidationError(
            self.error_messages["locked"],
            code="locked",
            params={"minutes": settings.LOGIN_LOCKOUT_MINUTES},
        )
        if lockout.is_locked(username, self.request):
            raise locked
        try:
            return super().clean()
        except forms.ValidationError:
            # A parallel try may have used up the limit before this one was counted.
            if lockout.was_refused(username, self.request):
                raise locked from None
            raise


class StaffAuthenticationForm(LockoutAuthenticationForm):
    """The staff login's first step: a username and password of a staff member
    (a patient's account is refused here, before any code is asked for)."""

    error_messages = {
        **LockoutAuthenticationForm.error_messages,
        "not_staff": _(
            "This login is for the clinic's staff only. Patients log in to the patient cabinet."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Login")

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not is_staff_user(user):
            raise forms.ValidationError(self.error_messages["not_staff"], code="not_staff")


class CodeTriesMixin(forms.Form):
    """Counts every code try of the account before django-otp checks the code
    (its own throttle reads and writes the device row, which parallel tries
    race past); refused past LOGIN_CODE_TRIES, forgotten on a right code."""

    def clean(self):
        from django.conf import settings

        try:
            take_code_try(self.user)
        except limits.LimitReached:
            raise forms.ValidationError(
                _(
                    "Too many wrong codes. The login is locked for %(minutes)s minutes; "
                    "try later or call the clinic."
                ),
                code="code_tries",
                params={"minutes": settings.LOGIN_LOCKOUT_MINUTES},
            ) from None
        cleaned = super().clean()
        forget_code_tries(self.user)
        return cleaned


class LoginCodeForm(CodeTriesMixin, AuthenticationTokenForm):
    """The second step: «Код из SMS» for a phone, «Код из приложения» for TOTP."""

    def __init__(self, user, initial_device, **kwargs):
        super().__init__(user, initial_device, **kwargs)
        field = self.fields["otp_token"]
        if getattr(initial_device, "method", None) == "sms":
            field.label = _("Code from the SMS")
        else:
            field.label = _("Code from the authenticator app")
        field.widget.attrs["inputmode"] = "numeric"


class BackupCodeForm(CodeTriesMixin, BackupTokenForm):
    """A one-time backup code instead of the SMS or the app."""

    def __init__(self, user, initial_device, **kwargs):
        super().__init__(user, initial_device, **kwargs)
        field = self.fields["otp_token"]
        field.label = _("Backup code")
        field.widget.attrs.update({"autocomplete": "off", "autocapitalize": "none"})
