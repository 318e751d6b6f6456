"""Who offers what: a per-process snapshot of active doctors, their services
and branches, for the free-slot search.

Every slot search needs the same few hundred rows of the catalog; reading
them from PostgreSQL on each request was half the search's time. Each
process keeps one snapshot, tagged with the catalog version kept in the
shared cache. Any change to doctors, services, branches or their links (a
sync, an edit in the admin) sets a new version, and each process rebuilds
its snapshot at its next search. Nothing here is state another process needs:
losing it costs one rebuild.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from catalog.models import Branch, Doctor, Service
from catalog.signals import catalog_synced

VERSION_KEY = "booking:directory:version"


@dataclass(frozen=True)
class DoctorOffer:
    doctor: Doctor
    specialty_ids: frozenset[int]
    branch_ids: frozenset[int]
    services: tuple[Service, ...]  # active ones, in the catalog's order


@dataclass(frozen=True)
class Directory:
    version: str
    offers: tuple[DoctorOffer, ...]  # active doctors, by id
    branches: dict[int, Branch]
    doctors: dict[int, Doctor]  # the active ones
    services: dict[int, Service]  # the active ones some active doctor offers
    offered: frozenset[tuple[int, int]] = frozenset()  # (doctor id, service id)

    def provides(self, doctor_id: int, service_id: int) -> bool:
        """The one rule of what can be booked, for the slot search and the hold
        alike: an active doctor (or room) and an active service it provides."""
        return (doctor_id, service_id) in self.offered


_lock = threading.Lock()
_current: Directory | None = None
# Within one web request the version is asked once: a hold asks four times.
_request = threading.local()


def _request_began(**_kwargs: object) -> None:
    _request.snapshot = None
    _request.active = True


def _request_ended(**_kwargs: object) -> None:
    _request.snapshot = None
    _request.active = False


def directory() -> Directory:
    """The snapshot for the current catalog version (rebuilt when it changed)."""
    if getattr(_request, "active", False):
        if _request.snapshot is None:
            _request.snapshot = _current_snapshot()
        return _request.snapshot
    return _current_snapshot()


def _current_snapshot() -> Directory:
    global _current
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY) or version
    snapshot = _current
    if snapshot is not None and snapshot.version == version:
        return snapshot
    with _lock:
        if _current is None or _current.version != version:
            _current = _build(version)
        return _current


def _build(version: str) -> Directory:
    doctors = (
        Doctor.objects.filter(is_active=True)
        .prefetch_related("services", "specialties", "branches")
        .order_by("pk")
    )
    offers = tuple(
        DoctorOffer(
            doctor=doctor,
            specialty_ids=frozenset(s.pk for s in doctor.specialties.all()),
            branch_ids=frozenset(b.pk for b in doctor.branches.all()),
            services=tuple(s for s in doctor.services.all() if s.is_active),
        )
        for doctor in doctors
    )
    return Directory(
        version=version,
        offers=offers,
        branches=Branch.objects.in_bulk(),
        doctors={offer.doctor.pk: offer.doctor for offer in offers},
        services={service.pk: service for offer in offers for service in offer.services},
        offered=frozenset((o.doctor.pk, s.pk) for o in offers for s in o.services),
    )


def changed() -> None:
    """The catalog changed: every process rebuilds its snapshot. Set now (this
    process's later reads, inside the same transaction) and again after the
    commit (so no process keeps a snapshot read before the commit)."""
    _request.snapshot = None
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    transaction.on_commit(lambda: cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None))


def _on_change(**_kwargs: object) -> None:
    changed()


def _on_sync(sender: object, result: object = None, **_kwargs: object) -> None:
    if result is None or getattr(result, "written", 1):
        changed()


def connect() -> None:
    request_started.connect(_request_began, dispatch_uid="booking.directory.began")
    request_finished.connect(_request_ended, dispatch_uid="booking.directory.ended")
    for model in (Doctor, Service, Branch):
        post_save.connect(_on_change, sender=model, dispatch_uid=f"booking.directory.{model}")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"booking.directory.d{model}")
    for relation in (Doctor.services, Doctor.specialties, Doctor.branches):
        m2m_changed.connect(
            _on_change, sender=relation.through, dispatch_uid=f"booking.directory.{relation}"
        )
    catalog_synced.connect(_on_sync, dispatch_uid="booking.directory.sync")
