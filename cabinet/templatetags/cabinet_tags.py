"""Template tags of the cabinet: the line that says whose data a page shows."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.http import Http404

from cabinet.access import acting_patient
from cabinet.accounts.models import Patient
from cabinet.accounts.two_factor import is_verified
from cabinet.consent.services import ConsentRequired

register = template.Library()


@dataclass(frozen=True)
class WhoseData:
    patient: Patient
    child: bool  # a parent acting for a child through a proxy


def whose_data_for(request, *, staff_patient: Patient | None = None) -> WhoseData | None:
    """Whose data the page shows, or None when it shows nobody's.

    Never raises: pages before the second factor or the consent, staff and
    accounts not linked yet simply get no line (`acting_patient` would send
    them elsewhere; a template must not)."""
    if staff_patient is not None:
        return WhoseData(patient=staff_patient, child=False)
    user = getattr(request, "user", None)
    if user is None or not is_verified(user):
        return None
    cached = getattr(request, "_cabinet_whose_data", False)
    if cached is not False:
        return cached
    try:
        patient = acting_patient(request)
    except (Http404, ConsentRequired):
        whose = None
    else:
        whose = WhoseData(patient=patient, child=patient.account_id != user.pk)
    request._cabinet_whose_data = whose
    return whose


@register.inclusion_tag("cabinet/_whose_data_line.html", takes_context=True)
def whose_data(context) -> dict:
    """`{% whose_data %}`: «Данные пациента: …» or «Вы действуете за ребёнка: …»."""
    staff_patient = context.get("patient") if context.get("staff_view") else None
    return {
        "whose": whose_data_for(context.get("request"), staff_patient=staff_patient),
        "staff_view": bool(context.get("staff_view")),
        "csrf_token": context.get("csrf_token"),
    }
