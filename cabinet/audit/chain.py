"""The hash chain of the audit log: what a record's hash covers, and the check."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from cabinet.audit.models import AuditRecord

GENESIS = "0" * 64


def record_hash(record: AuditRecord) -> str:
    """SHA-256 of the record's fields and the previous record's hash."""
    fields = {
        "actor": record.actor_id,
        "on_behalf_of": record.on_behalf_of_id,
        "patient": record.patient_id,
        "actor_name": record.actor_name,
        "actor_role": record.actor_role,
        "object_type": record.object_type,
        "object_id": record.object_id,
        "action": record.action,
        "at": record.at.isoformat(timespec="microseconds"),
        "ip": record.ip or "",
        "user_agent": record.user_agent,
        "previous_hash": record.previous_hash,
    }
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    record_id: int
    reason: str


def first_break(records: Iterable[AuditRecord]) -> ChainBreak | None:
    """The first record (in id order) whose hash or link does not hold."""
    previous = GENESIS
    for record in records:
        if record.previous_hash != previous:
            return ChainBreak(record.pk, "its previous hash does not match the record before it")
        if record_hash(record) != record.hash:
            return ChainBreak(record.pk, "its content does not match its hash")
        previous = record.hash
    return None
