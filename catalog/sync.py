"""Mirror the MIS directory (branches, specialties, services, doctors) into models.

A sync compares what the MIS says with what is stored and writes only the
difference; a sync that finds nothing changed writes nothing. Rows the MIS
no longer lists are deactivated, never deleted: pages and bookings keep
pointing at them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models, transaction

from catalog.models import Branch, CheckupProgram, Doctor, LabTest, Service, Specialty
from catalog.signals import catalog_synced
from integrations.ports import LabCatalogSource, MisAdapter


@dataclass
class RowCounts:
    created: int = 0
    updated: int = 0
    deactivated: int = 0
    links_added: int = 0
    links_removed: int = 0

    @property
    def written(self) -> int:
        return (
            self.created + self.updated + self.deactivated + self.links_added + self.links_removed
        )


@dataclass
class CatalogSyncResult:
    counts: dict[str, RowCounts] = field(default_factory=dict)
    created_doctor_ids: list[int] = field(default_factory=list)

    @property
    def written(self) -> int:
        return sum(c.written for c in self.counts.values())

    def as_dict(self) -> dict[str, object]:
        return {name: vars(c) for name, c in self.counts.items()}


def _sync_rows(model: type[models.Model], wanted: dict[str, dict[str, Any]]) -> RowCounts:
    counts = RowCounts()
    existing = {obj.external_id: obj for obj in model.objects.all()}
    to_create: list[models.Model] = []
    to_update: list[models.Model] = []
    changed_fields: set[str] = set()
    for external_id, values in wanted.items():
        values = {**values, "is_active": True}
        obj = existing.get(external_id)
        if obj is None:
            to_create.append(model(external_id=external_id, **values))
            continue
        diff = {name: value for name, value in values.items() if getattr(obj, name) != value}
        if diff:
            for name, value in diff.items():
                setattr(obj, name, value)
            to_update.append(obj)
            changed_fields |= diff.keys()
    for external_id, obj in existing.items():
        if external_id not in wanted and obj.is_active:
            obj.is_active = False
            to_update.append(obj)
            changed_fields.add("is_active")
            counts.deactivated += 1
    if to_create:
        model.objects.bulk_create(to_create)
    if to_update:
        model.objects.bulk_update(to_update, sorted(changed_fields))
    counts.created = len(to_create)
    counts.updated = len(to_update) - counts.deactivated
    return counts


def _sync_links(relation: Any, wanted: set[tuple[int, int]], counts: RowCounts) -> None:
    """Make a many-to-many table hold exactly `wanted` (left id, right id) pairs."""
    through = relation.through
    left = relation.field.m2m_field_name() + "_id"
    right = relation.field.m2m_reverse_field_name() + "_id"
    existing = set(through.objects.values_list(left, right))
    missing = wanted - existing
    extra = existing - wanted
    if missing:
        through.objects.bulk_create([through(**{left: a, right: b}) for a, b in missing])
    if extra:
        for a, b in extra:
            through.objects.filter(**{left: a, right: b}).delete()
    counts.links_added += len(missing)
    counts.links_removed += len(extra)


def _ids(model: type[models.Model]) -> dict[str, int]:
    return dict(model.objects.values_list("external_id", "pk"))


@transaction.atomic
def sync_catalog(*, adapter: MisAdapter) -> CatalogSyncResult:
    """Bring the catalog in line with the MIS; returns what was written."""
    branches = adapter.branches()
    specialties = adapter.specialties()
    services = adapter.services()
    doctors = adapter.doctors()

    result = CatalogSyncResult()
    result.counts["branch"] = _sync_rows(
        Branch,
        {
            b.external_id: {
                "name": b.name,
                "address": b.address,
                "phone": b.phone,
                "time_zone": b.time_zone,
            }
            for b in branches
        },
    )
    result.counts["specialty"] = _sync_rows(
        Specialty, {s.external_id: {"name": s.name} for s in specialties}
    )
    specialty_ids = _ids(Specialty)
    # When 1C's price list (CommerceML) owns prices, the MIS's price only
    # seeds a new service; the stored price of a known one stays.
    kept_prices = (
        dict(Service.objects.values_list("external_id", "price"))
        if settings.COMMERCEML_OWNS_PRICES
        else {}
    )
    result.counts["service"] = _sync_rows(
        Service,
        {
            s.external_id: {
                "code": s.code,
                "name": s.name,
                "duration_minutes": s.duration_minutes,
                "price": kept_prices.get(s.external_id, s.price),
                "is_online": s.online,
                "specialty_id": specialty_ids.get(s.specialty_id) if s.specialty_id else None,
            }
            for s in services
        },
    )
    known_doctors = set(_ids(Doctor).values())
    doctor_counts = _sync_rows(
        Doctor,
        {
            d.external_id: {
                "last_name": d.last_name,
                "first_name": d.first_name,
                "middle_name": d.middle_name,
                "career_start": d.career_start,
                "category": d.category,
                "degree": d.degree,
            }
            for d in doctors
        },
    )
    doctor_ids = _ids(Doctor)
    branch_ids, service_ids = _ids(Branch), _ids(Service)
    for relation, ids, attribute in (
        (Doctor.specialties, specialty_ids, "specialty_ids"),
        (Doctor.branches, branch_ids, "branch_ids"),
        (Doctor.services, service_ids, "service_ids"),
    ):
        wanted = {
            (doctor_ids[d.external_id], ids[other])
            for d in doctors
            for other in getattr(d, attribute)
            if other in ids
        }
        _sync_links(relation, wanted, doctor_counts)
    result.counts["doctor"] = doctor_counts
    result.created_doctor_ids = sorted(set(doctor_ids.values()) - known_doctors)
    if isinstance(adapter, LabCatalogSource):
        _sync_lab_catalog(adapter, service_ids, result)

    transaction.on_commit(lambda: catalog_synced.send(sender=sync_catalog, result=result))
    return result


def _sync_lab_catalog(
    adapter: LabCatalogSource, service_ids: dict[str, int], result: CatalogSyncResult
) -> None:
    """Lab tests and check-up programs, the same difference-only way."""
    lab_tests = adapter.lab_tests()
    programs = adapter.checkup_programs()
    result.counts["lab_test"] = _sync_rows(
        LabTest,
        {
            t.external_id: {
                "code": t.code,
                "name": t.name,
                "biomaterial": t.biomaterial,
                "preparation": t.preparation,
                "turnaround_days": t.turnaround_days,
                "price": t.price,
            }
            for t in lab_tests
        },
    )
    program_counts = _sync_rows(
        CheckupProgram,
        {p.external_id: {"name": p.name, "description": p.description} for p in programs},
    )
    program_ids, lab_test_ids = _ids(CheckupProgram), _ids(LabTest)
    for relation, ids, attribute in (
        (CheckupProgram.lab_tests, lab_test_ids, "lab_test_ids"),
        (CheckupProgram.services, service_ids, "service_ids"),
    ):
        wanted = {
            (program_ids[p.external_id], ids[other])
            for p in programs
            for other in getattr(p, attribute)
            if other in ids
        }
        _sync_links(relation, wanted, program_counts)
    result.counts["checkup_program"] = program_counts
