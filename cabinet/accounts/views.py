"""Registration, login (password + SMS code), logout, password reset, the cabinet's home."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from django_otp import login as otp_login
from two_factor.forms import AuthenticationTokenForm, BackupTokenForm
from two_factor.views import LoginView as TwoFactorLoginView

from booking.phone_codes import PhoneCodeError, check_scoped_code, send_scoped_code
from booking.services import BookingError
from cabinet.accounts import enrolment
from cabinet.accounts import services as accounts
from cabinet.accounts.forms import (
    BackupCodeForm,
    CodeForm,
    LockoutAuthenticationForm,
    LoginCodeForm,
    PasswordResetForm,
    PhoneForm,
    RegistrationForm,
    StaffAuthenticationForm,
)
from cabinet.accounts.models import LinkRequest, User
from cabinet.accounts.two_factor import SmsCodeLimit
from clinic_site.client import client_ip
from integrations.ports import MisError

MIS_DOWN = gettext_lazy(
    "The clinic's records cannot be reached right now. Nothing is lost: "
    "press the button again in a few minutes."
)

CODE_TTL = 600
REGISTER_KEY = "cabinet_register"
RESET_KEY = "cabinet_password_reset"


class LoginView(TwoFactorLoginView):
    """django-two-factor-auth's login wizard: the password, then the code
    texted to the phone (or the TOTP of a staff member's app)."""

    template_name = "two_factor/core/login.html"
    form_list = (
        (TwoFactorLoginView.AUTH_STEP, LockoutAuthenticationForm),
        *TwoFactorLoginView.form_list[1:],
    )
    # two-factor's forms, by the class its device registry picks, and ours for them:
    # «Код из SMS» / «Код из приложения» / «Резервный код» instead of "Token".
    code_forms = {AuthenticationTokenForm: LoginCodeForm, BackupTokenForm: BackupCodeForm}
    code_limit = None

    def get_form_list(self):
        # two-factor's get_form() sets the token step's class from the device
        # registry on every call; this runs after it, right before the form is built.
        form_list = super().get_form_list()
        for step, form_class in form_list.items():
            form_list[step] = self.code_forms.get(form_class, form_class)
        return form_list

    def render(self, form=None, **kwargs):
        try:
            return super().render(form, **kwargs)
        except SmsCodeLimit as limit:
            # The number had its codes for this hour: say so, send nothing.
            self.code_limit = str(limit)
            return super(TwoFactorLoginView, self).render(form, **kwargs)

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form, **kwargs)
        context["code_limit"] = self.code_limit
        return context

    def done(self, form_list, **kwargs):
        """The password was right. A staff member without a device is signed
        in only to enrol one, and only through the clinic (accounts/enrolment.py)."""
        user = self.get_user()
        if not enrolment.needs_enrolment(user) or enrolment.granted(self.request, user):
            response = super().done(form_list, **kwargs)  # the login spends the link
            self.request.session.pop(enrolment.LINK_SESSION_KEY, None)
            return response
        self.storage.reset()
        if not user.phone:
            messages.error(self.request, NO_DEVICE)
            return redirect("staff-login")
        with translation.override(settings.LANGUAGE_CODE):
            text = _("Code %(code)s to set up the second factor of your clinic staff account.")
        problem = _send(
            self.request, f"staff-enrolment:{user.pk}", user.phone, text, "staff_enrolment_code"
        )
        if problem:
            messages.error(self.request, problem)
            return redirect("staff-login")
        self.request.session[enrolment.CODE_SESSION_KEY] = {"user": user.pk}
        return redirect("staff-enrolment-code")


class StaffLoginView(LoginView):
    """The login of the clinic's staff to /admin/ (served at /admin/login/):
    username and password, then the code of the TOTP app; a staff member
    without a device gets in only to set one up, with the administrator's
    enrolment link or a code texted to the account's phone (LoginView.done).
    Patients are refused at the first step and never see a code step here."""

    template_name = "two_factor/core/staff_login.html"
    form_list = (
        (TwoFactorLoginView.AUTH_STEP, StaffAuthenticationForm),
        *TwoFactorLoginView.form_list[1:],
    )

    def get_success_url(self):
        return self.get_redirect_url() or reverse("wagtailadmin_home")


NO_DEVICE = gettext_lazy(
    "Your account has no second factor yet. Ask the clinic's administrator for an "
    "enrolment link, or for your mobile number to be put on the account."
)


def staff_enrolment_code(request):
    """After the password: the code texted to the staff member's phone signs
    them in to set up the authenticator app, and nothing else."""
    state = request.session.get(enrolment.CODE_SESSION_KEY) or {}
    user = User.objects.filter(pk=state.get("user"), is_active=True).first()
    if user is None or not enrolment.needs_enrolment(user) or not user.phone:
        return redirect("staff-login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            check_scoped_code(
                scope=f"staff-enrolment:{user.pk}", phone=user.phone, code=form.cleaned_data["code"]
            )
        except BookingError as error:
            form.add_error("code", _error_text(error))
        else:
            request.session.pop(enrolment.CODE_SESSION_KEY, None)
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            return redirect("two_factor:setup")
    return render(request, "two_factor/core/staff_enrolment_code.html", {"form": form})


def staff_enrolment_link(request, uidb64: str, token: str):
    """The administrator's one-time link: the staff member it names may sign
    in with the password once, to set up the authenticator app."""
    user = enrolment.user_of_link(uidb64, token)
    if user is None:
        return render(request, "two_factor/core/staff_enrolment_dead.html", status=410)
    request.session[enrolment.LINK_SESSION_KEY] = {"user": user.pk, "uid": uidb64, "token": token}
    messages.info(request, _("Log in with your password, then set up the authenticator app."))
    return redirect("staff-login")


def _send(request, scope: str, phone: str, text: str, purpose: str) -> str | None:
    """Text a code; the error to show, or None when it went out."""
    try:
        send_scoped_code(
            scope=scope,
            phone=phone,
            text=text,
            purpose=purpose,
            ttl=CODE_TTL,
            client=client_ip(request),
        )
    except BookingError as error:
        return str(error)
    return None


def _error_text(error: BookingError) -> str:
    return str(error)


def register(request):
    """Three steps on one URL: the phone, the code, then name, birth date, password."""
    if request.user.is_authenticated:
        return redirect("cabinet:home")
    state = request.session.get(REGISTER_KEY) or {}
    step = "details" if state.get("verified") else ("code" if state.get("phone") else "phone")
    if request.method == "POST" and request.POST.get("restart"):
        request.session.pop(REGISTER_KEY, None)
        return redirect("cabinet:register")
    form = {"phone": PhoneForm, "code": CodeForm, "details": RegistrationForm}[step](
        request.POST or None
    )
    if request.method == "POST" and form.is_valid():
        if step == "phone":
            phone = form.cleaned_data["phone"]
            # The same answer whether the number has an account or not: a
            # stranger learns nothing; the number's owner gets an SMS telling
            # them they already have one (and no code: the next step fails).
            registered = User.objects.filter(phone=phone).exists()
            with translation.override(settings.LANGUAGE_CODE):
                if registered:
                    text = _(
                        "Someone is registering in the patient cabinet with this number. "
                        "You already have an account: log in or restore the password by SMS. "
                        "If it was not you, ignore this message."
                    )
                else:
                    text = _("Code %(code)s to register in the patient cabinet.")
            purpose = "register_known" if registered else "register_code"
            problem = _send(request, f"register:{phone}", phone, text, purpose)
            if problem:
                form.add_error(None, problem)
            else:
                request.session[REGISTER_KEY] = {"phone": phone}
                return redirect("cabinet:register")
        elif step == "code":
            try:
                check_scoped_code(
                    scope=f"register:{state['phone']}",
                    phone=state["phone"],
                    code=form.cleaned_data["code"],
                )
            except BookingError as error:
                form.add_error("code", _error_text(error))
            else:
                request.session[REGISTER_KEY] = {"phone": state["phone"], "verified": True}
                return redirect("cabinet:register")
        else:
            data = form.cleaned_data
            if User.objects.filter(phone=state["phone"]).exists():
                request.session.pop(REGISTER_KEY, None)
                messages.error(request, _("This number is already registered. Log in."))
                return redirect("cabinet:login")
            try:
                user, outcome = accounts.register(
                    phone=state["phone"],
                    last_name=data["last_name"],
                    first_name=data["first_name"],
                    birth_date=data["birth_date"],
                    password=data["password2"],
                )
            except MisError:
                form.add_error(None, MIS_DOWN)
                return render(
                    request,
                    "cabinet/register.html",
                    {"form": form, "step": step, "phone": state.get("phone", "")},
                )
            request.session.pop(REGISTER_KEY, None)
            # The phone was just confirmed by a code: that is the second factor.
            user.backend = settings.AUTHENTICATION_BACKENDS[0]
            login(request, user)
            otp_login(request, user.phonedevice_set.get(name="default"))
            if isinstance(outcome, LinkRequest):
                messages.info(
                    request,
                    _(
                        "Your account is created. A registrar will check it against the "
                        "clinic's records; we will text you when your data opens."
                    ),
                )
            return redirect("cabinet:home")
    return render(
        request,
        "cabinet/register.html",
        {"form": form, "step": step, "phone": state.get("phone", "")},
    )


def password_reset(request):
    """The phone, then the code from the SMS and a new password."""
    state = request.session.get(RESET_KEY) or {}
    step = "new" if state.get("phone") else "phone"
    if request.method == "POST" and request.POST.get("restart"):
        request.session.pop(RESET_KEY, None)
        return redirect("cabinet:password_reset")
    user = User.objects.filter(phone=state["phone"]).first() if step == "new" else None
    if step == "phone":
        form = PhoneForm(request.POST or None)
    else:
        form = PasswordResetForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        if step == "phone":
            phone = form.cleaned_data["phone"]
            if User.objects.filter(phone=phone, is_active=True).exists():
                with translation.override(settings.LANGUAGE_CODE):
                    text = _("Code %(code)s to set a new password of the patient cabinet.")
                problem = _send(request, f"reset:{phone}", phone, text, "password_reset_code")
                if problem:
                    form.add_error(None, problem)
            else:
                problem = None
            if not problem:
                # The same answer whether the number is registered or not.
                request.session[RESET_KEY] = {"phone": phone}
                return redirect("cabinet:password_reset")
        else:
            try:
                if user is None:
                    raise PhoneCodeError
                check_scoped_code(
                    scope=f"reset:{state['phone']}",
                    phone=state["phone"],
                    code=form.cleaned_data["code"],
                )
            except BookingError as error:
                form.add_error("code", _error_text(error))
            else:
                user.set_password(form.cleaned_data["password2"])
                user.save(update_fields=["password"])
                request.session.pop(RESET_KEY, None)
                messages.success(request, _("The password is changed. Log in with it."))
                return redirect("cabinet:login")
    return render(
        request,
        "cabinet/password_reset.html",
        {"form": form, "step": step, "phone": state.get("phone", "")},
    )


@require_POST
def logout_view(request):
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)
