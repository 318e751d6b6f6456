"""Who may see which patient's data: the one place the cabinet asks.

Views never filter by patient themselves: they call `acting_patient(request)`
and the selectors take that patient. The rules (own record, a verified proxy
for a child under 15, consent signed) live here and nowhere else.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from cabinet.models import Patient, User

ACTING_PATIENT_SESSION_KEY = "cabinet_acting_patient"


def accessible_patients(user: User) -> QuerySet[Patient]:
    """Patients whose cabinet data `user` may open: their own record, and
    children through a verified, unexpired proxy (extended by cabinet.proxies)."""
    if not user.is_authenticated:
        return Patient.objects.none()
    return Patient.objects.filter(account=user)


def acting_patient(request: HttpRequest) -> Patient:
    """The patient the request acts for ("me" or a child the user switched to);
    404 when the user may not open anyone's data."""
    patients = accessible_patients(request.user)
    chosen = request.session.get(ACTING_PATIENT_SESSION_KEY)
    patient = None
    if chosen is not None:
        patient = patients.filter(pk=chosen).first()
    if patient is None:
        patient = patients.filter(account=request.user).first()
    if patient is None:
        raise Http404
    return patient
