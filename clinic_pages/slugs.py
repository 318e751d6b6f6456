"""Latin page slugs made from Russian titles, free among a page's siblings."""

from __future__ import annotations

from django.utils.text import slugify

from wagtail.models import Page

from anyascii import anyascii


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
