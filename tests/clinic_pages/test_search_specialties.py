"""Site search understands specialties («кардиолог») and the symptoms editors map to them."""

from __future__ import annotations

import io

from django.core.management import call_command

from wagtail.snippets.models import get_snippet_models

import pytest

from catalog.models import Specialty
from clinic_pages.models import DoctorPage, ServicePage, SymptomMapping
from clinic_pages.selectors import (
    _substring,
    phrase_matches,
    search_pages,
    search_site,
    specialties_for,
)


@pytest.fixture
def site(demo_site):
    """The demo site, built once for this module."""


def cardiologists() -> set[int]:
    return set(
        DoctorPage.objects.live()
        .filter(doctor__specialties__name="Кардиология")
        .values_list("pk", flat=True)
    )


def cardiology_services() -> set[int]:
    return set(
        ServicePage.objects.live()
        .filter(service__specialty__name="Кардиология")
        .values_list("pk", flat=True)
    )


def test_full_text_finds_the_cardiologists_and_their_services(site):
    found = {page.pk for page in search_pages(query="кардиолог")}
    assert len(cardiologists()) == 3
    assert cardiologists() <= found
    assert cardiology_services() <= found  # Эхокардиография too, by its specialty


def test_the_substring_fallback_finds_them_too(site):
    # The SQLite embedded default's search, called directly (it runs on any database).
    found = {page.pk for _rank, page in _substring("кардиолог")}
    assert cardiologists() <= found
    assert cardiology_services() <= found
    assert not {p.pk for _r, p in _substring("кардиолог")} & set(
        DoctorPage.objects.exclude(doctor__specialties__name="Кардиология").values_list(
            "pk", flat=True
        )
    )


def test_the_search_page_shows_the_doctors_and_links_the_finder(client, site):
    response = client.get("/search/", {"q": "кардиолог"})
    body = response.content.decode()
    cardiology = Specialty.objects.get(name="Кардиология")
    assert "Этим занимается:" in body
    assert f'href="/doctors/?specialty={cardiology.pk}">Кардиология</a>' in body
    for page in DoctorPage.objects.filter(pk__in=cardiologists()):
        assert page.doctor.full_name in body
    assert "Эхокардиография" in body
    assert "Процедурный кабинет" not in body


@pytest.mark.parametrize(
    ("phrase", "query", "matches"),
    [
        ("болит сердце", "болит сердце", True),
        ("болит сердце", "у меня часто болит сердце", True),
        ("боль в груди", "боли в груди", True),
        ("давление", "высокое давление", True),
        ("давление", "давлением", True),
        ("болит сердце", "сердце", False),
        ("болит сердце", "болит голова", False),
    ],
)
def test_a_symptom_phrase_matches_word_forms(phrase, query, matches):
    assert phrase_matches(phrase, query) is matches


def test_mapped_symptoms_point_to_their_specialties(client, site):
    names = {s.name for s in specialties_for(query="болит сердце")}
    assert names == {"Кардиология"}
    assert {s.name for s in specialties_for(query="давление")} == {"Кардиология", "Терапия"}
    found = search_site(query="болит сердце")
    assert {d.pk for d in found.doctors} == cardiologists()
    body = client.get("/search/", {"q": "давление"}).content.decode()
    assert "Этим занимается:" in body and ">Кардиология</a>" in body and ">Терапия</a>" in body


def test_an_editors_new_mapping_is_searched(site):
    ent = Specialty.objects.get(name="Оториноларингология")
    mapping = SymptomMapping.objects.create(phrases="заложило ухо\nхрапит")
    mapping.specialties.set([ent])
    assert [s.name for s in specialties_for(query="храпит по ночам")] == ["Оториноларингология"]
    assert str(mapping) == "заложило ухо, храпит"


def test_symptoms_are_a_snippet_and_the_demo_seeds_them_once(demo_clinic):
    assert SymptomMapping in get_snippet_models()
    seeded = SymptomMapping.objects.count()
    assert seeded >= 5
    call_command("load_demo", stdout=io.StringIO())
    assert SymptomMapping.objects.count() == seeded


def test_specialty_names_and_rooms(site):
    assert [s.name for s in specialties_for(query="гинеколог")] == ["Акушерство и гинекология"]
    assert specialties_for(query="процедурный") == []
    assert specialties_for(query="анализ крови") == []
