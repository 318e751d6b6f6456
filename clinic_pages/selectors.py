"""Reads of the public site: search over its pages, specialties and symptoms; preparations."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet

from wagtail.images import get_image_model
from wagtail.models import Page

from booking.selectors import people
from catalog.models import Doctor, Service, Specialty, room_specialty_ids
from clinic_pages.doctor_finder import PHOTO_FILTER as PHOTO
from clinic_pages.models import (
    ArticlePage,
    CheckupPage,
    DoctorPage,
    LabTestPage,
    ServicePage,
    SymptomMapping,
)
from clinic_pages.sanitize import plain_text

SEARCH_CONFIG = "russian"
MAX_RESULTS = 30

# What each page type is found by, most telling first (weights A..D).
_SEARCHED: dict[type[Page], tuple[tuple[str, str], ...]] = {
    DoctorPage: (("doctor__last_name", "A"), ("doctor__first_name", "B"), ("title", "A")),
    ServicePage: (
        ("title", "A"),
        ("service__name", "A"),
        ("summary", "B"),
        ("service__specialty__name", "C"),
    ),
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
            condition &= _contains("title", stem) | _by_specialty(model, stem)
        matches = model.objects.live().filter(condition)
        if model is DoctorPage:
            matches = matches.filter(doctor__is_active=True)
        found += [(1.0, p) for p in matches.distinct()]
    return found


def _contains(name: str, stem: str) -> Q:
    return Q(**{f"{name}__icontains": stem}) | Q(**{f"{name}__icontains": stem.capitalize()})


def _by_specialty(model: type[Page], stem: str) -> Q:
    """«кардиолог» finds the doctors of «Кардиология» and its services."""
    if model is DoctorPage:
        return _contains("doctor__specialties__name", stem)
    if model is ServicePage:
        return _contains("service__specialty__name", stem)
    return Q(pk__in=[])


# --- specialties and symptoms --------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+")


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower().replace("ё", "е")) if len(w) > 1]


def _same_word(a: str, b: str) -> bool:
    """Russian word forms without a stemmer: a long enough common beginning
    («кардиолог» ~ «кардиология», «боль» ~ «боли», «давление» ~ «давлением»)."""
    shorter = min(len(a), len(b))
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    need = shorter - 1 if shorter <= 4 else max(4, shorter - 3)
    return common >= max(need, 2)


def phrase_matches(phrase: str, query: str) -> bool:
    """Every word of `phrase` (but one-letter ones) is in `query`, word endings aside."""
    wanted = [w for w in _words(phrase) if len(w) > 1]
    typed = _words(query)
    return bool(wanted) and all(any(_same_word(w, t) for t in typed) for w in wanted)


def searched_specialties():
    """The active specialties search may name: a procedure room's is not one (the one
    place site search tells rooms apart; booking.selectors holds the rule)."""
    return Specialty.objects.filter(is_active=True).exclude(external_id__in=room_specialty_ids())


def specialties_for(*, query: str) -> list[Specialty]:
    """The specialties a search is about: named («кардиолог», «гинеколог») or
    pointed to by a symptom the editors mapped («болит сердце» → Кардиология)."""
    typed = [w for w in _words(query) if len(w) > 2]
    if not typed:
        return []
    specialties = list(searched_specialties())
    searched = {s.pk for s in specialties}
    found: dict[int, Specialty] = {}
    for mapping in SymptomMapping.objects.prefetch_related("specialties"):
        if any(phrase_matches(phrase, query) for phrase in mapping.phrase_list()):
            for specialty in mapping.specialties.all():
                if specialty.pk in searched:
                    found.setdefault(specialty.pk, specialty)
    for specialty in specialties:
        names = [w for w in _words(specialty.name) if len(w) > 2]
        if any(_same_word(t, n) for t in typed for n in names):
            found.setdefault(specialty.pk, specialty)
    return list(found.values())


@dataclass(frozen=True)
class SiteSearch:
    specialties: list[Specialty]  # «Этим занимается: …», links to the finder
    doctors: list[DoctorPage]  # the doctors of those specialties
    pages: list[Page]  # everything else found, best first


def search_site(*, query: str, doctors_limit: int = 12) -> SiteSearch:
    """The search page: specialties named or meant by a symptom, their doctors, then pages."""
    query = " ".join(query.split())[:200]
    if not query:
        return SiteSearch([], [], [])
    specialties = specialties_for(query=query)
    doctors: list[DoctorPage] = []
    if specialties:
        doctors = list(
            DoctorPage.objects.live()
            .filter(
                doctor__is_active=True,
                doctor__in=Doctor.objects.filter(specialties__in=specialties),
            )
            .filter(doctor__in=people())
            .select_related("doctor")
            .prefetch_related(
                Prefetch("photo", queryset=get_image_model().objects.prefetch_renditions(PHOTO))
            )
            .order_by("doctor__last_name", "doctor__first_name")[:doctors_limit]
        )
    shown = {d.pk for d in doctors}
    pages = [p for p in search_pages(query=query) if p.pk not in shown]
    return SiteSearch(specialties, doctors, pages)


# --- what the booking receipt shows ---------------------------------------------------


def preparation_of(service: Service) -> str:
    """How to prepare for `service`, as its live page's editors wrote it (plain text)."""
    page = ServicePage.objects.live().filter(service=service).only("preparation").first()
    return plain_text(page.preparation) if page is not None else ""
