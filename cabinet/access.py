"""Who may see which patient's data: the one place the cabinet asks.

Views never filter by patient themselves: they call `acting_patient(request)`
and the selectors take that patient. The rules (own record, a verified proxy
for a child under 15, consent signed, a login verified by a second factor)
live here and nowhere else.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from cabinet.accounts.models import Patient, User
from cabinet.accounts.two_factor import is_verified
from cabinet.consent.services import require_consent
from cabinet.proxies.services import valid_grants

ACTING_PATIENT_SESSION_KEY = "cabinet_acting_patient"


def accessible_patients(user: User) -> QuerySet[Patient]:
    """Patients whose cabinet data `user` may open: their own record, and
    children through a verified proxy that has not ended (the 15th birthday)."""
    if not user.is_authenticated:
        return Patient.objects.none()
    children = valid_grants(user).values("child")
    return Patient.objects.filter(Q(account=user) | Q(pk__in=children))


def acting_patient(request: HttpRequest) -> Patient:
    """The patient the request acts for ("me" or a child the user switched to).

    404 when the user may not open anyone's data, or the child they switched
    to is no longer theirs to open (the proxy ended); ConsentRequired (turned
    into the consent page) until the current consents are signed.
    """
    user = request.user
    if not is_verified(user):
        raise Http404
    patients = accessible_patients(user)
    if not patients.exists():  # staff, or an account not linked yet: no one's data
        raise Http404
    require_consent(user)
    chosen = request.session.get(ACTING_PATIENT_SESSION_KEY)
    if chosen is not None:
        patient = patients.filter(pk=chosen).first()
        if patient is None:
            request.session.pop(ACTING_PATIENT_SESSION_KEY, None)
            raise Http404
        return patient
    patient = patients.filter(account=user).first()
    if patient is None:
        raise Http404
    return patient


def on_behalf_of(request: HttpRequest) -> Patient | None:
    """The child a parent is acting for through a proxy, or None when the
    user acts for themselves: the audit writes "parent <request.user> for
    child <this>"."""
    patient = acting_patient(request)
    return None if patient.account_id == request.user.pk else patient


def switch_to(request: HttpRequest, patient_id: int | None) -> Patient:
    """Act for `patient_id` (None: "me"); 404 unless the user may open it."""
    if patient_id is None:
        request.session.pop(ACTING_PATIENT_SESSION_KEY, None)
        return acting_patient(request)
    if not accessible_patients(request.user).filter(pk=patient_id).exists():
        raise Http404
    request.session[ACTING_PATIENT_SESSION_KEY] = patient_id
    return acting_patient(request)
