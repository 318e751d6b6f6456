"""A cache of rendered public pages for anonymous visitors.

A page is re-rendered when it is published again (its publication time is in
the key) and when anything it shows from elsewhere may have changed: every
publish, unpublish, move or deletion of a page, a catalog sync that wrote
something, a change of the clinic's settings bump one site-wide version.
Doctor pages list free slots, so they are kept only a minute. A visitor who
chose a city or branch in the doctor finder gets the variant of that choice.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from wagtail.models import Site

from clinic_pages.doctor_finder import remembered_branch

VERSION_KEY = "clinic-pages:version"
PAGE_SECONDS = 600
LIVE_DATA_SECONDS = 60  # pages showing the schedule


def _fresh_version() -> int:
    # Milliseconds, not 1: if Redis evicts or loses the counter while old pages
    # survive, the new version is still above every version used before.
    return int(time.time() * 1000)


def site_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _fresh_version(), timeout=None)
        version = cache.get(VERSION_KEY) or _fresh_version()
    return int(version)


def bump_site_version(**_kwargs: object) -> None:
    """Every cached page is stale: the next visit renders afresh."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, _fresh_version(), timeout=None)


def on_catalog_synced(sender: object, result: object = None, **_kwargs: object) -> None:
    if result is None or getattr(result, "written", 1):
        bump_site_version()


def request_cache_key(request: HttpRequest) -> str | None:
    """The cache key of the page at this request's address, or None when the request
    must not be answered from the cache. Checked before Wagtail routes the request,
    so it reads no session and no database: a visitor with a session cookie (an
    editor, a signed-in patient) always gets a fresh page."""
    if request.method != "GET" or request.GET or getattr(request, "is_preview", False):
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None
    # Publishing anything bumps the version, so the address names a rendering; a
    # remembered city or branch (a signed token this site issued) its variant.
    key = f"clinic-pages:html:{site_version()}:{request.get_host()}:{request.path}"
    branch = remembered_branch(request)
    return f"{key}:branch={branch}" if branch else key


def cached_page(request: HttpRequest) -> HttpResponse | None:
    key = request_cache_key(request)
    html = cache.get(key) if key is not None else None
    if html is None:
        return None
    return HttpResponse(html, content_type="text/html; charset=utf-8")


def remember_page(request: HttpRequest, response: HttpResponse, *, seconds: int) -> None:
    """Keep a rendered public page (never one behind a view restriction)."""
    key = request_cache_key(request)
    if key is None or response.status_code != 200 or response.has_header("Set-Cookie"):
        return
    if hasattr(response, "render"):
        response.render()
    cache.set(key, response.content, timeout=seconds)


# --- the menu's section URLs --------------------------------------------------------

SECTIONS_CACHE_SECONDS = 600


def sections_cache_key(site_id: int) -> str:
    return f"clinic-pages:sections:{site_id}"


def forget_section_urls(**_kwargs: object) -> None:
    """The menu's cached section URLs are stale once a page is published, moved or removed."""
    cache.delete_many([sections_cache_key(pk) for pk in Site.objects.values_list("pk", flat=True)])
