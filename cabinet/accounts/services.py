"""Registration by phone and linking an account to its MIS patient.

The rule: the lookup by phone + birth date + surname must find exactly one
person, whose first name matches too, and the phone must not be shared with
another adult of that surname (a family phone cannot tell brothers apart).
Anything else is a LinkRequest in the registrar's queue, never a link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from cabinet.accounts.models import LinkRequest, Patient, User
from cabinet.accounts.two_factor import ensure_phone_device
from integrations.mis import get_mis_adapter
from integrations.ports import Patient as MisPatient

ADULT_AGE = 18


def fold(text: str) -> str:
    return " ".join(text.split()).casefold().replace("ё", "е")


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


@dataclass(frozen=True)
class Match:
    patient: MisPatient | None  # the one strong match, or None
    reason: str = ""  # LinkRequest.Reason when there is no strong match
    candidates: tuple[str, ...] = ()


def match_patient(*, phone: str, last_name: str, first_name: str, birth_date: date) -> Match:
    """Decide whether the MIS knows this person surely enough to link them."""
    mis = get_mis_adapter()
    exact = mis.find_patients(phone=phone, birth_date=birth_date, last_name=last_name)
    ids = tuple(p.external_id for p in exact)
    if not exact:
        same_phone = mis.find_patients(phone=phone, last_name=last_name)
        return Match(None, LinkRequest.Reason.NOT_FOUND, tuple(p.external_id for p in same_phone))
    if len(exact) > 1:
        return Match(None, LinkRequest.Reason.AMBIGUOUS, ids)
    found = exact[0]
    if fold(found.first_name) != fold(first_name):
        return Match(None, LinkRequest.Reason.WEAK, ids)
    today = timezone.localdate()
    family = mis.find_patients(phone=phone, last_name=last_name)
    other_adults = [
        p
        for p in family
        if p.external_id != found.external_id
        and (p.birth_date is None or age_on(p.birth_date, today) >= ADULT_AGE)
    ]
    if other_adults:
        return Match(
            None,
            LinkRequest.Reason.AMBIGUOUS,
            (found.external_id,) + tuple(p.external_id for p in other_adults),
        )
    return Match(found, candidates=ids)


def patient_from_mis(mis_patient: MisPatient, *, account: User | None = None) -> Patient:
    """The cabinet's row of an MIS patient (created or refreshed), linked to
    `account` when given."""
    patient, _created = Patient.objects.update_or_create(
        mis_id=mis_patient.external_id,
        defaults={
            "last_name": mis_patient.last_name,
            "first_name": mis_patient.first_name,
            "middle_name": mis_patient.middle_name,
            "birth_date": mis_patient.birth_date,
            "sex": mis_patient.sex or "",
            "phone": mis_patient.phone,
        },
    )
    if account is not None and patient.account_id != account.pk:
        if patient.account_id is not None:
            raise AccountLinkError("This MIS patient already has an account.")
        patient.account = account
        patient.save(update_fields=["account"])
    return patient


class AccountLinkError(Exception):
    pass


def mis_patient_by_id(*, phone: str, mis_id: str) -> MisPatient | None:
    """The MIS record `mis_id` among the patients with this phone."""
    for candidate in get_mis_adapter().find_patients(phone=phone):
        if candidate.external_id == mis_id:
            return candidate
    return None


@transaction.atomic
def register(
    *, phone: str, last_name: str, first_name: str, birth_date: date, password: str
) -> tuple[User, Patient | LinkRequest]:
    """Create the account (the phone already confirmed by a code) with its SMS
    device, then link it or queue it for a registrar."""
    match = match_patient(
        phone=phone, last_name=last_name, first_name=first_name, birth_date=birth_date
    )
    user = User.objects.create_user(
        username=phone,
        password=password,
        phone=phone,
        last_name=last_name.strip(),
        first_name=first_name.strip(),
    )
    ensure_phone_device(user)
    if (
        match.patient is not None
        and not Patient.objects.filter(
            mis_id=match.patient.external_id, account__isnull=False
        ).exists()
    ):
        return user, patient_from_mis(match.patient, account=user)
    reason = match.reason or LinkRequest.Reason.AMBIGUOUS  # already linked to someone else
    request = LinkRequest.objects.create(
        user=user,
        phone=phone,
        last_name=last_name.strip(),
        first_name=first_name.strip(),
        birth_date=birth_date,
        reason=reason,
        candidates=list(match.candidates),
    )
    return user, request


@transaction.atomic
def approve_link_request(link: LinkRequest, *, by: User, mis_id: str = "") -> Patient:
    """A registrar links the account to the MIS patient they checked."""
    mis_id = mis_id or link.mis_id or (link.candidates[0] if len(link.candidates) == 1 else "")
    if not mis_id:
        raise AccountLinkError("Choose the MIS patient id first.")
    mis_patient = mis_patient_by_id(phone=link.phone, mis_id=mis_id)
    if mis_patient is None:
        raise AccountLinkError(f"The MIS has no patient {mis_id} with phone {link.phone}.")
    patient = patient_from_mis(mis_patient, account=link.user)
    link.mis_id = mis_id
    link.status = LinkRequest.Status.APPROVED
    link.decided_by = by
    link.decided_at = timezone.now()
    link.save(update_fields=["mis_id", "status", "decided_by", "decided_at"])
    return patient


def reject_link_request(link: LinkRequest, *, by: User, note: str = "") -> None:
    link.status = LinkRequest.Status.REJECTED
    link.decided_by = by
    link.decided_at = timezone.now()
    if note:
        link.note = note
    link.save(update_fields=["status", "decided_by", "decided_at", "note"])
