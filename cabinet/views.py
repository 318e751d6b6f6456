"""The cabinet's frame: its home page, and whom the user acts for ("me" or a
child under a verified proxy; the rules are cabinet.access)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cabinet.access import accessible_patients, acting_patient, on_behalf_of, switch_to
from cabinet.accounts.models import LinkRequest
from cabinet.records.importer import import_if_stale


@login_required
def home(request):
    """Whom the user acts for, and where to go; consent first (acting_patient)."""
    patients = accessible_patients(request.user)
    acting = acting_patient(request) if patients.exists() else None
    pending = LinkRequest.objects.filter(
        user=request.user, status=LinkRequest.Status.PENDING
    ).exists()
    return render(
        request,
        "cabinet/home.html",
        {
            "acting": acting,
            "child": on_behalf_of(request) if acting else None,
            "patients": patients,
            "pending_link": pending,
            # A long history loads in the background; the page follows it.
            "record_import": import_if_stale(acting) if acting else None,
        },
    )


@login_required
@require_POST
def switch(request):
    """Act for "me" (empty value) or for a child the user may open."""
    value = request.POST.get("patient") or ""
    patient_id = int(value) if value.isdigit() else None
    if value and patient_id is None:
        raise Http404
    if (
        patient_id is not None
        and accessible_patients(request.user).filter(pk=patient_id, account=request.user).exists()
    ):
        patient_id = None  # their own record is "me"
    switch_to(request, patient_id)
    return redirect("cabinet:home")
