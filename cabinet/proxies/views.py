"""A parent asks for a child's access (the registrar verifies it)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cabinet.accounts.forms import RegistrationForm
from cabinet.proxies import services as proxies
from cabinet.proxies.models import ProxyRequest
from integrations.ports import MisError


class ChildForm(RegistrationForm):
    """Surname, first name and birth date of the child (no password)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("password1", "password2"):
            del self.fields[name]

    def clean_password2(self):
        return None

    def clean_birth_date(self):
        born = super().clean_birth_date()
        if born <= proxies.proxy_cutoff():
            raise forms.ValidationError(
                _("Parents open a child's data only until the child turns 15.")
            )
        return born


@login_required
def children(request):
    form = ChildForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proxies.request_proxy(
                parent=request.user,
                last_name=data["last_name"],
                first_name=data["first_name"],
                birth_date=data["birth_date"],
            )
        except MisError:
            # The registrar finds the child in the MIS when verifying.
            ProxyRequest.objects.create(
                parent=request.user,
                last_name=data["last_name"],
                first_name=data["first_name"],
                birth_date=data["birth_date"],
            )
        messages.success(
            request,
            _(
                "Request sent. Bring the child's birth certificate to the front desk; "
                "the registrar will open the access."
            ),
        )
        return redirect("cabinet:children")
    return render(
        request,
        "cabinet/children.html",
        {
            "form": form,
            "requests": ProxyRequest.objects.filter(parent=request.user),
            "grants": proxies.valid_grants(request.user).select_related("child"),
        },
    )
