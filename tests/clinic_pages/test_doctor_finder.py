"""The doctor finder at /doctors/: filters, cards, paging, the remembered branch, the cache."""

from __future__ import annotations

import re

from django.conf import settings

import pytest

from booking import slot_cache
from booking.selectors import default_service, people, rooms
from catalog.models import Branch, Specialty
from clinic_pages.demo import ensure_demo_content, ensure_demo_site
from clinic_pages.doctor_finder import (
    BRANCH_COOKIE,
    PER_PAGE,
    branch_city,
    days_offered,
)
from clinic_pages.models import DoctorPage
from integrations.mis.demo import DemoMis
from integrations.mis.sync import run_mis_sync
from tests.module_data import rolled_back

FINDER = "/doctors/"


@pytest.fixture(scope="module")
def finder_site_once(django_db_setup, django_db_blocker):
    """The demo site with four days of schedule (enough for tomorrow's free times),
    built once for this module; each test's changes roll back."""
    with rolled_back(django_db_blocker):
        with django_db_blocker.unblock():
            ensure_demo_site()
            run_mis_sync(adapter=DemoMis(seed=2026), days=4)
            ensure_demo_site()
            ensure_demo_content()
        yield


@pytest.fixture
def finder_site(finder_site_once, db):
    """The demo site of finder_site_once."""


def finder(response):
    assert response.status_code == 200
    return response.context["finder"]


def html(response) -> str:
    return response.content.decode()


def test_lists_people_never_rooms_ten_a_page(client, finder_site):
    first = finder(client.get(FINDER))
    people_count = DoctorPage.objects.live().filter(doctor__in=people()).count()
    assert first.total == people_count >= 40
    assert len(first.cards) == PER_PAGE
    room_ids = set(rooms().values_list("pk", flat=True))
    assert room_ids
    pages = -(-first.total // PER_PAGE)
    seen = []
    for number in range(1, pages + 1):
        page = finder(client.get(FINDER, {"page": number}))
        seen += [card.doctor.pk for card in page.cards]
        assert "Процедурный кабинет" not in html(client.get(FINDER, {"page": number}))
    assert len(seen) == len(set(seen)) == people_count
    assert not room_ids & set(seen)
    # Alphabetical, and a page past the end is the last one.
    names = [card.doctor.last_name for card in first.cards]
    assert names == sorted(names)
    assert finder(client.get(FINDER, {"page": 999})).paginator_page.number == pages
    body = html(client.get(FINDER))
    assert 'rel="next"' in body and "?page=2" in body


def test_the_form_is_a_plain_get_form_with_the_four_filters(client, finder_site):
    body = html(client.get(FINDER))
    form = re.search(r"<form class=\"finder\"[^>]*>", body).group(0)
    assert 'method="get"' in form and 'action="/doctors/"' in form
    for name in ('name="specialty"', 'name="branch"', 'name="date"', 'name="online"'):
        assert name in body
    assert "<script" not in body.split('<form class="finder"')[1].split("</form>")[0]


def test_specialty_filter_and_its_one_tap_chips(client, finder_site):
    cardiology = Specialty.objects.get(name="Кардиология")
    response = client.get(FINDER, {"specialty": cardiology.pk})
    found = finder(response)
    assert found.total == 3
    assert all(card.specialties == ["Кардиология"] for card in found.cards)
    # Each specialty is one link away from the unfiltered list.
    body = html(client.get(FINDER))
    assert f'href="/doctors/?specialty={cardiology.pk}"' in body
    assert 'aria-current="page"' in html(response)
    # A bad value is ignored, not an error.
    assert finder(client.get(FINDER, {"specialty": "x"})).filters.specialty is None
    assert client.get(FINDER, {"specialty": "x", "date": "soon", "page": "-1"}).status_code == 200


def test_cards_show_photo_price_experience_branches_and_times(client, finder_site):
    response = client.get(FINDER)
    cards = finder(response).cards
    body = html(response)
    for card in cards:
        assert card.service == default_service(card.doctor)
        assert card.price == card.service.price
        assert card.branches and all(city for _name, city in card.branches)
        assert 1 <= len(card.free_slots) <= 4
        assert all(slot.service == card.service for slot in card.free_slots)
        assert f'data-doctor="{card.doctor.pk}"' in body
    images = re.findall(r'<img class="doctor-card__photo"[^>]*>', body)
    assert len(images) == len(cards)
    assert all('width="72"' in img and 'height="72"' in img for img in images)
    assert all("loading" not in img for img in images[:2])
    assert all('loading="lazy"' in img for img in images[2:])
    assert "Первичный приём" in body and "стажа" in body
    # Every card embeds the booking component in its compact form.
    assert body.count("data-booking") == len(cards)


def test_a_doctor_without_a_photo_gets_a_neutral_placeholder(client, finder_site):
    page = DoctorPage.objects.live().order_by("doctor__last_name", "doctor__first_name").first()
    DoctorPage.objects.filter(pk=page.pk).update(photo=None)
    body = html(client.get(FINDER))
    assert 'class="doctor-card__photo doctor-card__photo--none" aria-hidden="true"' in body


def test_branch_filter_keeps_its_doctors_and_times(client, finder_site):
    branch = Branch.objects.get(external_id="br-ekb")
    response = client.get(FINDER, {"branch": branch.pk})
    found = finder(response)
    assert 0 < found.total < 44
    for card in found.cards:
        assert branch.pk in {b.pk for b in card.doctor.branches.all()}
        assert all(slot.branch == branch for slot in card.free_slots)
    assert "Екатеринбург" in html(response)
    assert branch_city(branch) == "Екатеринбург"


def test_date_filter_shows_only_doctors_free_that_day(client, finder_site):
    tomorrow = days_offered()[1]
    found = finder(client.get(FINDER, {"date": tomorrow.isoformat()}))
    assert 0 < found.total <= 44
    for card in found.cards:
        assert card.free_slots
        assert all(slot.local_start.date() == tomorrow for slot in card.free_slots)
    # A date outside the two weeks offered is ignored.
    far = finder(client.get(FINDER, {"date": "2000-01-01"}))
    assert far.filters.day is None


def test_online_filter_offers_the_online_consultation(client, finder_site):
    found = finder(client.get(FINDER, {"online": "1"}))
    assert found.total > 0
    for card in found.cards:
        assert card.service.is_online
        assert all(slot.service.is_online for slot in card.free_slots)
    assert "Онлайн-консультация" in html(client.get(FINDER, {"online": "1"}))


def test_a_page_reads_free_times_in_batches_not_a_doctor_at_a_time(
    client, finder_site, monkeypatch
):
    loads = []
    real = slot_cache.load_schedules

    def counting(**kwargs):
        loads.append(kwargs["doctor_ids"])
        return real(**kwargs)

    monkeypatch.setattr(slot_cache, "load_schedules", counting)
    finder(client.get(FINDER, {"page": 2}))
    # Cold: one load a window (at most three), each for the page's doctors only.
    assert 1 <= len(loads) <= 3
    assert all(len(ids) <= PER_PAGE for ids in loads)
    loads.clear()
    client.cookies[settings.SESSION_COOKIE_NAME] = "no-such-session"  # past the page cache
    finder(client.get(FINDER, {"page": 2}))
    assert loads == []  # warm: from the slot cache alone


def test_the_chosen_branch_is_remembered_and_applied(client, finder_site):
    branch = Branch.objects.get(external_id="br-spb")
    response = client.get(FINDER, {"branch": branch.pk})
    cookie = response.cookies[BRANCH_COOKIE]
    assert cookie["samesite"] == "Lax" and cookie["httponly"]
    assert int(cookie["max-age"]) >= 364 * 24 * 3600
    # The next visit without a choice opens on it, and says so.
    again = client.get(FINDER)
    assert again.context["finder"].filters.place.branch_ids == {branch.pk}
    assert "Санкт-Петербург" in html(again) and "Филиал на Невском" in html(again)
    assert BRANCH_COOKIE not in again.cookies  # nothing to set again
    # «All cities» forgets it.
    cleared = client.get(FINDER, {"branch": ""})
    assert cleared.cookies[BRANCH_COOKIE].value == ""
    assert finder(client.get(FINDER)).filters.place is None


def test_the_page_cache_never_serves_another_visitors_branch(client, finder_site):
    from django.test import Client

    msk = Branch.objects.get(external_id="br-msk")
    plain = client.get(FINDER)  # cached for anonymous visitors
    assert "Филиал на Тверской</option>" in html(plain)
    assert "selected>Филиал на Тверской" not in html(plain)

    chooser = Client()
    chooser.get(FINDER, {"branch": msk.pk})
    remembered = chooser.get(FINDER)
    assert "selected>Филиал на Тверской" in html(remembered)
    assert "Город: Москва" in html(remembered)
    assert "Город: Москва" in html(chooser.get(FINDER))  # its own cached variant
    # Visitors without the cookie still get the plain list, from the cache.
    assert "Город: Москва" not in html(Client().get(FINDER))
    # A forged cookie is no cookie: the plain variant.
    forger = Client()
    forger.cookies[BRANCH_COOKIE] = str(msk.pk)
    assert "Город: Москва" not in html(forger.get(FINDER))


def test_home_and_book_button_lead_to_the_finder(client, finder_site):
    body = html(client.get("/"))
    assert re.search(r'class="action-bar__button action-bar__button--book" href="/doctors/"', body)
    assert 'href="/doctors/">' in body


def test_a_doctors_page_lists_the_remembered_branchs_times_first(client, finder_site):
    from booking.selectors import next_free_slots

    doctor_page = next(
        p
        for p in DoctorPage.objects.live().select_related("doctor")
        if p.doctor.branches.count() > 1
        and len({s.branch.pk for s in next_free_slots(doctor=p.doctor, limit=200)}) > 1
    )
    slots = next_free_slots(doctor=doctor_page.doctor, limit=200)
    later_branch = slots[-1].branch
    assert slots[0].branch != later_branch or any(s.branch != later_branch for s in slots)
    plain = client.get(doctor_page.url).context["free_slots"]
    assert plain == slots[:8]
    client.get(FINDER, {"branch": later_branch.pk})  # chosen once in the finder
    remembered = client.get(doctor_page.url).context["free_slots"]
    assert remembered and {s.branch for s in remembered} == {later_branch}
