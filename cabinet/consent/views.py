"""The consent page: read, confirm by an SMS code, sign; or withdraw."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from booking.phone_codes import check_scoped_code, send_scoped_code
from booking.services import BookingError
from cabinet.accounts.forms import CodeForm
from cabinet.consent import services as consent
from cabinet.consent.models import ConsentDocument, ConsentSignature

CODE_TTL = 600


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/cabinet/"


@login_required
def consent_page(request):
    user = request.user
    unsigned = consent.unsigned_documents(user)
    scope = f"consent:{user.pk}"
    form = CodeForm(request.POST or None) if request.POST.get("action") == "sign" else CodeForm()
    code_sent = request.session.get("consent_code_sent", False)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "send" and unsigned:
            if not request.POST.get("agree"):
                messages.error(request, _("Tick the box to confirm you have read the texts."))
            elif not user.phone:
                messages.error(request, _("Your account has no phone number; call the clinic."))
            else:
                with translation.override(settings.LANGUAGE_CODE):
                    text = _("Code %(code)s to sign the consent in the patient cabinet.")
                try:
                    send_scoped_code(
                        scope=scope,
                        phone=user.phone,
                        text=text,
                        purpose="consent_code",
                        ttl=CODE_TTL,
                        client=None,  # the account's own number: only the site-wide cap
                    )
                except BookingError as error:
                    messages.error(request, str(error))
                else:
                    request.session["consent_code_sent"] = True
                    code_sent = True
        elif action == "sign" and unsigned and form.is_valid():
            try:
                check_scoped_code(scope=scope, phone=user.phone, code=form.cleaned_data["code"])
            except BookingError as error:
                form.add_error("code", str(error))
            else:
                consent.sign(user, unsigned, request=request)
                request.session.pop("consent_code_sent", None)
                messages.success(request, _("Thank you: the consent is signed."))
                return redirect(_next(request))
        elif action == "withdraw" and request.POST.get("kind") in ConsentDocument.Kind.values:
            consent.withdraw(user, request.POST["kind"], request=request)
            messages.info(
                request,
                _("The consent is withdrawn. Your medical data is closed in the cabinet."),
            )
            return redirect("cabinet:consent")
    signed = ConsentSignature.objects.filter(user=user).select_related("document")[:20]
    return render(
        request,
        "cabinet/consent.html",
        {
            "unsigned": unsigned,
            "missing": not consent.current_documents(),
            "signed": signed,
            "form": form,
            "code_sent": code_sent,
            "next": _next(request),
            "kinds": ConsentDocument.Kind.choices,
            "has_consented": consent.has_consented(user),
        },
    )
