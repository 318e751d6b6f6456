"""State changes of the site's pages: doctor pages follow the synced doctors."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.text import slugify

from anyascii import anyascii

from catalog.models import Doctor
from clinic_pages.models import DoctorIndexPage, DoctorPage

logger = logging.getLogger(__name__)


def transliterated_slug(text: str) -> str:
    """A readable Latin slug for a Russian title: «Егорова Вера» -> egorova-vera."""
    return slugify(anyascii(text)) or "page"


def _free_slug(parent: DoctorIndexPage, base: str) -> str:
    taken = set(parent.get_children().filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


@transaction.atomic
def ensure_doctor_pages() -> int:
    """Give every active doctor without a page a live page; returns pages created."""
    index = DoctorIndexPage.objects.first()
    if index is None:
        logger.warning("No doctors index page yet: doctor pages are not created.")
        return 0
    missing = Doctor.objects.filter(is_active=True, page__isnull=True).order_by("pk")
    created = 0
    for doctor in missing:
        page = DoctorPage(
            title=doctor.full_name,
            slug=_free_slug(index, transliterated_slug(doctor.full_name)),
            doctor=doctor,
        )
        index.add_child(instance=page)
        created += 1
    return created


def on_catalog_synced(sender: object, **_kwargs: object) -> None:
    ensure_doctor_pages()
