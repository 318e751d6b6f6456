"""The consent gate: no medical data before the current consents are signed.

`acting_patient()` (cabinet.access) calls `require_consent()`; the
ConsentRequired it raises becomes a redirect to the consent page in
`cabinet.consent.middleware.ConsentMiddleware`, so every medical view is gated without knowing it.
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cabinet.consent.models import ConsentDocument, ConsentSignature, ConsentWithdrawal
from clinic_site.client import client_ip


class ConsentRequired(Exception):
    """The user has not signed the current consent documents."""


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def current_documents() -> list[ConsentDocument]:
    """The newest published version of every kind (a kind never published
    is missing from the list and `missing_kinds` names it)."""
    now = timezone.now()
    documents = []
    for kind in ConsentDocument.Kind.values:
        document = (
            ConsentDocument.objects.filter(kind=kind, published_at__lte=now)
            .order_by("-version")
            .first()
        )
        if document is not None:
            documents.append(document)
    return documents


def unsigned_documents(user) -> list[ConsentDocument]:
    """Current documents `user` has no valid signature of: never signed this
    version, or withdrew the consent after signing."""
    withdrawn = dict(
        ConsentWithdrawal.objects.filter(user=user)
        .values("kind")
        .annotate(last=Max("withdrawn_at"))
        .values_list("kind", "last")
    )
    unsigned = []
    for document in current_documents():
        signatures = ConsentSignature.objects.filter(user=user, document=document)
        if document.kind in withdrawn:
            signatures = signatures.filter(signed_at__gt=withdrawn[document.kind])
        if not signatures.exists():
            unsigned.append(document)
    return unsigned


def has_consented(user) -> bool:
    documents = current_documents()
    if len(documents) < len(ConsentDocument.Kind.values):
        return False  # nothing to sign yet means nothing may open
    return not unsigned_documents(user)


def require_consent(user) -> None:
    if not has_consented(user):
        raise ConsentRequired


@transaction.atomic
def sign(user, documents: list[ConsentDocument], *, request) -> list[ConsentSignature]:
    """Store the signatures (the SMS code already checked by the caller)."""
    return [
        ConsentSignature.objects.create(
            user=user,
            document=document,
            ip_address=client_ip(request) or None,
            text_sha256=text_sha256(document.text),
            phone=user.phone or "",
        )
        for document in documents
    ]


def withdraw(user, kind: str, *, request) -> ConsentWithdrawal:
    return ConsentWithdrawal.objects.create(
        user=user, kind=kind, ip_address=client_ip(request) or None
    )
