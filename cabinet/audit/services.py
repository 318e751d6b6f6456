"""Writing the audit log: the one function every read and change goes through."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from cabinet.accounts.models import Patient, User
from cabinet.audit.chain import GENESIS, record_hash
from cabinet.audit.models import AuditRecord
from clinic_site.client import client_ip

# Any fixed number: the key of the PostgreSQL advisory lock that serialises
# writers, so two concurrent records never claim the same previous hash.
CHAIN_LOCK_KEY = 0x61756469  # "audi"


@dataclass(frozen=True)
class Actor:
    """Who reads or changes data, and from where. `user=None` is the system."""

    user: User | None = None
    on_behalf_of: User | None = None
    role: str = ""
    ip: str | None = None
    user_agent: str = ""

    @property
    def name(self) -> str:
        if self.user is None:
            return self.role or "system"  # "system", or "anonymous" for a failed login
        return self.user.get_full_name() or self.user.get_username()


SYSTEM = Actor(role="system")


def actor_from_request(request: HttpRequest, *, patient: Patient, role: str = "") -> Actor:
    """The request's user; marked as a proxy when the patient is not their own record."""
    user = request.user
    proxy = patient.account_id != user.pk
    return Actor(
        user=user,
        on_behalf_of=user if proxy and not role else None,
        role=role or ("proxy" if proxy else "patient"),
        ip=client_ip(request) or None,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )


def write_audit(
    *,
    actor: Actor,
    patient: Patient | int | None,
    object_type: str,
    object_id: object = "",
    action: str = AuditRecord.Action.READ,
) -> AuditRecord:
    """Append one record to the chain (in its own atomic block)."""
    patient_id = patient if patient is None or isinstance(patient, int) else patient.pk
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
        last = AuditRecord.objects.order_by("-id").values_list("hash", flat=True).first()
        record = AuditRecord(
            actor=actor.user,
            on_behalf_of=actor.on_behalf_of,
            patient_id=patient_id,
            actor_name=actor.name[:200],
            actor_role=actor.role,
            object_type=object_type,
            object_id=str(object_id)[:64],
            action=action,
            at=timezone.now(),
            ip=actor.ip,
            user_agent=actor.user_agent,
            previous_hash=last or GENESIS,
        )
        record.hash = record_hash(record)
        record.save(force_insert=True)
    return record
