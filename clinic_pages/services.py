"""State changes of the site's pages: doctor pages follow the synced doctors."""

from __future__ import annotations

import logging

from django.db import transaction

from booking.selectors import people
from clinic_pages.models import DoctorIndexPage, DoctorPage
from clinic_pages.slugs import free_slug, transliterated_slug

logger = logging.getLogger(__name__)


@transaction.atomic
def ensure_doctor_pages() -> int:
    """Give every active doctor without a page a live page; returns pages created.

    Rooms (catalog.ProcedureRoom) are not people and get no page."""
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
