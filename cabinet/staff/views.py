"""Staff's view of a patient's medical card, guarded by the role selectors."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cabinet.audit.services import Actor
from cabinet.records import selectors
from cabinet.staff.selectors import card_patients, staff_role
from clinic_site.client import client_ip


@login_required
@never_cache
@require_GET
def patient_card(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_object_or_404(card_patients(request.user), pk=patient_id)
    viewer = selectors.Viewer(
        patient=patient,
        actor=Actor(
            user=request.user,
            role=staff_role(request.user),
            ip=client_ip(request) or None,
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        ),
    )
    return render(
        request,
        "cabinet/records/card.html",
        {"patient": patient, "visits": selectors.medical_card(viewer), "staff_view": True},
    )
