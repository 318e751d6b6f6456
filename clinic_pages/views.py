"""Views of the public site: pages through the page cache, search and robots.txt."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from wagtail import views as wagtail_views

from clinic_pages.doctor_finder import doctor_cards
from clinic_pages.models import DoctorIndexPage
from clinic_pages.page_cache import cached_page
from clinic_pages.selectors import search_site


def serve_page(request: HttpRequest, path: str) -> HttpResponse:
    """Wagtail's page view, answered from the page cache when it can be (no query)."""
    return cached_page(request) or wagtail_views.serve(request, path)


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    found = search_site(query=query)
    finder = DoctorIndexPage.objects.live().first() if found.specialties else None
    return render(
        request,
        "clinic_pages/search.html",
        {
            "query": query,
            "results": found.pages,
            "specialties": found.specialties,
            "doctor_cards": doctor_cards(found.doctors),
            "finder": finder,
        },
    )


@require_GET
@cache_control(max_age=86400, public=True)
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /django-admin/",
        "Disallow: /search/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
