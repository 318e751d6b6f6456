"""The medical review of articles: the approved revision names its reviewer and date."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from wagtail.models import Revision

from catalog.models import Doctor


def stamp_review(*, revision: Revision, doctor: Doctor, on: date | None = None) -> None:
    """Record in the revision being approved which doctor reviewed it and when, so
    the published page carries both."""
    revision.content = {
        **revision.content,
        "reviewed_by": doctor.pk,
        "reviewed_at": (on or timezone.localdate()).isoformat(),
    }
    revision.save(update_fields=["content"])
