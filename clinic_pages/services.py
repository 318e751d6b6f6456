"""State changes of the site's pages: doctor pages follow the synced doctors."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from wagtail.models import Page, Revision

from anyascii import anyascii

from booking.selectors import people
from catalog.models import CheckupProgram, Doctor
from clinic_pages.models import DoctorIndexPage, DoctorPage

logger = logging.getLogger(__name__)


def transliterated_slug(text: str) -> str:
    """A readable Latin slug for a Russian title: «Егорова Вера» -> egorova-vera."""
    return slugify(anyascii(text)) or "page"


def free_slug(parent: Page, base: str) -> str:
    """`base`, or `base-2`, `base-3`... whichever no sibling under `parent` has yet."""
    taken = set(parent.get_children().filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


@transaction.atomic
def ensure_doctor_pages() -> int:
    """Give every active doctor without a page a live page; returns pages created.

    Rooms (booking.selectors.is_room) are not people and get no page."""
    index = DoctorIndexPage.objects.first()
    if index is None:
        logger.warning("No doctors index page yet: doctor pages are not created.")
        return 0
    missing = people().filter(is_active=True, page__isnull=True).order_by("pk")
    created = 0
    for doctor in missing:
        page = DoctorPage(
            title=doctor.full_name,
            slug=free_slug(index, transliterated_slug(doctor.full_name)),
            doctor=doctor,
        )
        index.add_child(instance=page)
        created += 1
    return created


def on_catalog_synced(sender: object, **_kwargs: object) -> None:
    ensure_doctor_pages()


# --- check-up price calculator -------------------------------------------------


@dataclass(frozen=True)
class CheckupItem:
    key: str  # "lt-<id>" or "sv-<id>": the form value of the item's checkbox
    name: str
    kind: str  # "lab_test" | "service"
    price: Decimal


def checkup_items(*, program: CheckupProgram) -> list[CheckupItem]:
    """The program's lab tests and services with their current price-list prices."""
    tests = [
        CheckupItem(f"lt-{t.pk}", t.name, "lab_test", t.price)
        for t in program.lab_tests.filter(is_active=True).order_by("name")
    ]
    services = [
        CheckupItem(f"sv-{s.pk}", s.name, "service", s.price)
        for s in program.services.filter(is_active=True).order_by("name")
    ]
    return tests + services


def checkup_total(*, items: list[CheckupItem], chosen: Iterable[str] | None) -> Decimal:
    """The sum of the chosen items (None: the whole program); unknown keys are ignored."""
    keys = None if chosen is None else set(chosen)
    return sum((i.price for i in items if keys is None or i.key in keys), Decimal(0))


# --- medical review of articles ---------------------------------------------------


def stamp_review(*, revision: Revision, doctor: Doctor, on: date | None = None) -> None:
    """Record in the revision being approved which doctor reviewed it and when, so
    the published page carries both."""
    revision.content = {
        **revision.content,
        "reviewed_by": doctor.pk,
        "reviewed_at": (on or timezone.localdate()).isoformat(),
    }
    revision.save(update_fields=["content"])


def forget_section_urls(**_kwargs: object) -> None:
    """The menu's cached section URLs are stale once a page is published, moved or removed."""
    from django.core.cache import cache

    from wagtail.models import Site

    from clinic_pages.templatetags.clinic_tags import sections_cache_key

    cache.delete_many([sections_cache_key(pk) for pk in Site.objects.values_list("pk", flat=True)])


def preparation_of(service) -> str:
    """How to prepare for `service`, as its live page's editors wrote it (plain text)."""
    from clinic_pages.models import ServicePage, _plain

    page = ServicePage.objects.live().filter(service=service).only("preparation").first()
    return _plain(page.preparation) if page is not None else ""
