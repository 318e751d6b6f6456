"""Proxy access: a parent opens a child's cabinet until the child turns 15.

The end date is computed from the child's birth date on every request, never
stored as a flag: on the 15th birthday the child's data closes for the parent.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cabinet.accounts.models import User
from cabinet.accounts.services import AccountLinkError, fold, mis_patient_by_id, patient_from_mis
from cabinet.proxies.models import ProxyAccess, ProxyRequest
from integrations.mis import get_mis_adapter

PROXY_AGE_LIMIT = 15


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year - years, day=28)


def proxy_cutoff(today: date | None = None) -> date:
    """Children born after this date are under 15 today."""
    return years_before(today or timezone.localdate(), PROXY_AGE_LIMIT)


def valid_grants_q(today: date | None = None) -> Q:
    """Grants valid today: not revoked, and the child under 15 (born after the cutoff)."""
    return Q(revoked_at__isnull=True, child__birth_date__gt=proxy_cutoff(today))


def valid_grants(parent: User):
    return ProxyAccess.objects.filter(parent=parent).filter(valid_grants_q())


def find_child(*, parent: User, last_name: str, first_name: str, birth_date: date) -> list[str]:
    """MIS ids of children matching the typed data on the parent's phone."""
    if not parent.phone:
        return []
    found = get_mis_adapter().find_patients(
        phone=parent.phone, birth_date=birth_date, last_name=last_name
    )
    return [p.external_id for p in found if fold(p.first_name) == fold(first_name)]


def request_proxy(
    *, parent: User, last_name: str, first_name: str, birth_date: date
) -> ProxyRequest:
    candidates = find_child(
        parent=parent, last_name=last_name, first_name=first_name, birth_date=birth_date
    )
    return ProxyRequest.objects.create(
        parent=parent,
        last_name=last_name.strip(),
        first_name=first_name.strip(),
        birth_date=birth_date,
        candidates=candidates,
        mis_id=candidates[0] if len(candidates) == 1 else "",
    )


@transaction.atomic
def approve_proxy_request(
    proxy_request: ProxyRequest, *, by: User, document_note: str = "", mis_id: str = ""
) -> ProxyAccess:
    """A registrar saw the document and grants the access."""
    note = (document_note or proxy_request.document_note).strip()
    if not note:
        raise AccountLinkError("Write which document proves the relation.")
    mis_id = mis_id or proxy_request.mis_id
    if not mis_id:
        raise AccountLinkError("Choose the child's MIS patient id first.")
    mis_child = mis_patient_by_id(phone=proxy_request.parent.phone or "", mis_id=mis_id)
    if mis_child is None:
        # The child may have another phone in the MIS: look by the typed data.
        for candidate in get_mis_adapter().find_patients(
            phone=proxy_request.parent.phone or "", birth_date=proxy_request.birth_date
        ):
            if candidate.external_id == mis_id:
                mis_child = candidate
    if mis_child is None:
        raise AccountLinkError(f"The MIS has no patient {mis_id} for this parent's phone.")
    child = patient_from_mis(mis_child)
    grant, _created = ProxyAccess.objects.update_or_create(
        parent=proxy_request.parent,
        child=child,
        defaults={
            "request": proxy_request,
            "document_note": note,
            "verified_by": by,
            "revoked_at": None,
        },
    )
    proxy_request.mis_id = mis_id
    proxy_request.document_note = note
    proxy_request.status = ProxyRequest.Status.APPROVED
    proxy_request.decided_by = by
    proxy_request.decided_at = timezone.now()
    proxy_request.save()
    return grant


def reject_proxy_request(proxy_request: ProxyRequest, *, by: User) -> None:
    proxy_request.status = ProxyRequest.Status.REJECTED
    proxy_request.decided_by = by
    proxy_request.decided_at = timezone.now()
    proxy_request.save(update_fields=["status", "decided_by", "decided_at"])
