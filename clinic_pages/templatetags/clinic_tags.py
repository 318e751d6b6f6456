"""Template tags of the public site: JSON-LD, breadcrumbs, weekdays."""

import json

from django import template
from django.core.cache import cache
from django.utils.safestring import mark_safe
from django.utils.translation import pgettext_lazy

from wagtail.models import Site

from clinic_pages import jsonld
from clinic_pages.models import ClinicSettings
from clinic_pages.page_cache import SECTIONS_CACHE_SECONDS, sections_cache_key

register = template.Library()

# Inside <script> the HTML parser ends the element at "</script" whatever JSON
# thinks; escaping <, > and & as \u003c... keeps editor text from breaking out.
_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def json_for_script(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)


@register.simple_tag(takes_context=True)
def json_ld(context) -> str:
    """The page's Schema.org items plus the clinic as a MedicalOrganization."""
    request = context.get("request")
    page = context.get("page")
    items: list[dict] = []
    if request is not None:
        clinic = ClinicSettings.load(request_or_site=request)
        items.append(
            jsonld.medical_organization(
                name=clinic.name,
                url=_site_root(request, page),
                telephone=clinic.phone,
            )
        )
    if page is not None and hasattr(page, "structured_data"):
        items += page.structured_data(request)
    return mark_safe(  # noqa: S308 - json_for_script escapes <, > and &
        "".join(f'<script type="application/ld+json">{json_for_script(i)}</script>' for i in items)
    )


def _site_root(request, page) -> str:
    """The site's own address (as in canonical URLs), not whatever host was asked."""
    site = page.get_site() if page is not None and hasattr(page, "get_site") else None
    site = site or Site.find_for_request(request)
    return (site.root_url + "/") if site else request.build_absolute_uri("/")


_WEEKDAYS = {
    "Monday": pgettext_lazy("weekday", "Mon"),
    "Tuesday": pgettext_lazy("weekday", "Tue"),
    "Wednesday": pgettext_lazy("weekday", "Wed"),
    "Thursday": pgettext_lazy("weekday", "Thu"),
    "Friday": pgettext_lazy("weekday", "Fri"),
    "Saturday": pgettext_lazy("weekday", "Sat"),
    "Sunday": pgettext_lazy("weekday", "Sun"),
}


@register.filter
def weekdays(days: list[str]) -> str:
    """["Monday", ..., "Friday"] -> «пн–пт»; other sets as a list."""
    order = list(_WEEKDAYS)
    indexes = [order.index(d) for d in order if d in days]
    names = [str(_WEEKDAYS[order[i]]) for i in indexes]
    if len(indexes) > 2 and indexes == list(range(indexes[0], indexes[-1] + 1)):
        return f"{names[0]}–{names[-1]}"
    return ", ".join(names)


@register.simple_tag(takes_context=True)
def section_url(context, slug: str) -> str:
    """The URL of a section (a child of the site's home page) by its slug: the menu's
    links, from the cache instead of a query per link on every page."""
    request = context.get("request")
    site = Site.find_for_request(request) if request is not None else None
    if site is None:
        return ""
    urls = cache.get(sections_cache_key(site.pk))
    if urls is None:
        urls = {p.slug: p.get_url(request) for p in site.root_page.get_children().live()}
        cache.set(sections_cache_key(site.pk), urls, timeout=SECTIONS_CACHE_SECONDS)
    return urls.get(slug) or ""


@register.inclusion_tag("clinic_pages/includes/breadcrumbs.html", takes_context=True)
def breadcrumbs(context):
    page = context.get("page")
    trail = (
        page.breadcrumb_pages() if page is not None and hasattr(page, "breadcrumb_pages") else []
    )
    return {"trail": trail if len(trail) > 1 else []}
