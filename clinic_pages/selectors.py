"""Reads of the public site: full-text search over its pages."""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet

from wagtail.models import Page

from clinic_pages.models import (
    ArticlePage,
    CheckupPage,
    DoctorPage,
    LabTestPage,
    ServicePage,
)

SEARCH_CONFIG = "russian"
MAX_RESULTS = 30

# What each page type is found by, most telling first (weights A..D).
_SEARCHED: dict[type[Page], tuple[tuple[str, str], ...]] = {
    DoctorPage: (("doctor__last_name", "A"), ("doctor__first_name", "B"), ("title", "A")),
    ServicePage: (("title", "A"), ("service__name", "A"), ("summary", "B")),
    LabTestPage: (("title", "A"), ("lab_test__name", "A"), ("summary", "B")),
    CheckupPage: (("title", "A"), ("program__name", "A"), ("summary", "B")),
    ArticlePage: (("title", "A"), ("summary", "B")),
}


def search_pages(*, query: str, limit: int = MAX_RESULTS) -> list[Page]:
    """Live pages matching `query`, best first.

    On PostgreSQL: full-text search with the Russian dictionary, so word forms
    match («анализ крови» finds «Общий анализ крови», «кардиолог» finds doctors of
    «Кардиология»). Elsewhere (the SQLite embedded default): a plain substring match.
    """
    query = " ".join(query.split())[:200]
    if not query:
        return []
    found = _full_text(query) if connection.vendor == "postgresql" else _substring(query)
    found.sort(key=lambda pair: -pair[0])
    return [page for _rank, page in found[:limit]]


def _vector(fields: tuple[tuple[str, str], ...]) -> SearchVector:
    vector = None
    for name, weight in fields:
        part = SearchVector(name, weight=weight, config=SEARCH_CONFIG)
        vector = part if vector is None else vector + part
    return vector


def _full_text(query: str) -> list[tuple[float, Page]]:
    search = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
    found: list[tuple[float, Page]] = []
    for model, fields in _SEARCHED.items():
        matches: QuerySet = model.objects.live().annotate(
            vector=_vector(fields), rank=SearchRank(_vector(fields), search)
        )
        condition = Q(vector=search)
        if model is DoctorPage:
            by_specialty = DoctorPage.objects.annotate(
                vector=SearchVector("doctor__specialties__name", config=SEARCH_CONFIG)
            ).filter(vector=search)
            condition |= Q(pk__in=by_specialty.values("pk"))
            matches = matches.filter(doctor__is_active=True)
        found += [(float(p.rank) + 0.01, p) for p in matches.filter(condition).distinct()]
    return found


def _substring(query: str) -> list[tuple[float, Page]]:
    # SQLite folds case for ASCII only: try the word as typed and capitalised.
    words = [w for w in query.split() if len(w) > 2] or [query]
    found: list[tuple[float, Page]] = []
    for model in _SEARCHED:
        condition = Q()
        for word in words:
            stem = word[:-2] if len(word) > 5 else word
            condition &= Q(title__icontains=stem) | Q(title__icontains=stem.capitalize())
        found += [(1.0, p) for p in model.objects.live().filter(condition)]
    return found
