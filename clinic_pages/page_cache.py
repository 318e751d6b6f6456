"""A cache of rendered public pages for anonymous visitors.

A page is re-rendered when it is published again (its publication time is in
the key) and when anything it shows from elsewhere may have changed: every
publish, unpublish, move or deletion of a page, a catalog sync that wrote
something, a change of the clinic's settings bump one site-wide version.
Doctor pages list free slots, so they are kept only a minute.
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest

VERSION_KEY = "clinic-pages:version"
PAGE_SECONDS = 600
LIVE_DATA_SECONDS = 60  # pages showing the schedule


def site_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY) or 1
    return int(version)


def bump_site_version(**_kwargs: object) -> None:
    """Every cached page is stale: the next visit renders afresh."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)


def on_catalog_synced(sender: object, result: object = None, **_kwargs: object) -> None:
    if result is None or getattr(result, "written", 1):
        bump_site_version()


def page_cache_key(page, request: HttpRequest) -> str | None:
    """The cache key of this rendering, or None when it must not be cached."""
    if request.method != "GET" or request.GET or getattr(request, "is_preview", False):
        return None
    if request.user.is_authenticated:  # editors see the userbar and drafts' links
        return None
    published = page.last_published_at.timestamp() if page.last_published_at else 0
    return (
        f"clinic-pages:html:{site_version()}:{request.get_host()}:{page.pk}:{published}:"
        f"{request.path}"
    )
