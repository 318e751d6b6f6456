"""The public site: page types render, the legal warning, sanitised HTML, slugs, SEO files,
search in Russian, the check-up calculator."""

from decimal import Decimal

from django.core.cache import cache
from django.test import RequestFactory, TestCase, override_settings

from wagtail.models import Page, Site
from wagtail.test.utils import WagtailPageTestCase

import pytest

from booking.selectors import rooms
from catalog.models import Service, Specialty, room_specialty_ids
from clinic_pages.blocks import SafeHtmlBlock
from clinic_pages.checkup_calculator import checkup_items, checkup_price, checkup_total
from clinic_pages.models import (
    ArticleIndexPage,
    ArticlePage,
    BranchPage,
    CheckupIndexPage,
    CheckupPage,
    ContactsPage,
    DoctorIndexPage,
    DoctorPage,
    HomePage,
    LabTestIndexPage,
    LabTestPage,
    ServiceIndexPage,
    ServicePage,
)
from clinic_pages.page_cache import forget_section_urls, sections_cache_key
from clinic_pages.sample_collection import sample_collection
from clinic_pages.sanitize import plain_text, sanitize_html
from clinic_pages.selectors import preparation_of, search_pages, searched_specialties
from clinic_pages.slugs import free_slug
from tests.clinic_pages.conftest import load_demo_site

WARNING = "Имеются противопоказания. Необходима консультация специалиста"

PAGE_TYPES = (
    HomePage,
    DoctorIndexPage,
    DoctorPage,
    ServiceIndexPage,
    ServicePage,
    LabTestIndexPage,
    LabTestPage,
    CheckupIndexPage,
    CheckupPage,
    ContactsPage,
    BranchPage,
    ArticleIndexPage,
    ArticlePage,
)


def test_editor_html_loses_scripts_and_event_handlers():
    pasted = (
        '<p onclick="steal()">Цены<script>alert(1)</script></p>'
        '<img src="/x.png" onerror="alert(2)"><a href="javascript:alert(3)">ссылка</a>'
        '<iframe src="https://evil.example"></iframe><table><tr><td>1</td></tr></table>'
    )
    clean = sanitize_html(pasted)
    for forbidden in ("<script", "onclick", "onerror", "javascript:", "<iframe"):
        assert forbidden not in clean
    assert "<table>" in clean and "<p>Цены" in clean and 'src="/x.png"' in clean
    block = SafeHtmlBlock()
    assert "<script" not in block.get_prep_value(pasted)
    assert "<script" not in block.render(block.to_python(pasted))


def test_plain_text_keeps_the_words_and_drops_the_tags():
    html = "<p>Натощак,\n <strong>утром</strong>.</p>\n<ul><li>Не курить</li></ul>"
    assert plain_text(html) == "Натощак, утром. Не курить"
    assert plain_text("") == ""


@pytest.mark.django_db
def test_a_publication_forgets_every_sites_menu_urls():
    site = Site.objects.get(is_default_site=True)
    cache.set(sections_cache_key(site.pk), {"doctors": "/doctors/"})
    forget_section_urls()
    assert cache.get(sections_cache_key(site.pk)) is None


def test_calculator_total_is_the_sum_of_the_ticked_items():
    class Item:
        def __init__(self, key, price):
            self.key, self.price = key, Decimal(price)

    items = [Item("lt-1", "650.00"), Item("lt-2", "320.00"), Item("sv-3", "2600.00")]
    assert checkup_total(items=items, chosen=None) == Decimal("3570.00")
    assert checkup_total(items=items, chosen=["lt-1", "sv-3"]) == Decimal("3250.00")
    assert checkup_total(items=items, chosen=["nonsense"]) == 0


class DemoSitePages(WagtailPageTestCase):
    """One load of the demo site for every test of the class (setUpTestData)."""

    @classmethod
    def setUpTestData(cls):
        load_demo_site()

    def test_every_page_type_is_in_the_demo_and_renders(self):
        for model in PAGE_TYPES:
            page = model.objects.live().first()
            assert page is not None, model.__name__
            self.assertPageIsRenderable(page)

    def test_editors_can_create_each_page_type_where_it_belongs(self):
        self.assertCanCreateAt(HomePage, ServiceIndexPage)
        self.assertCanCreateAt(ServiceIndexPage, ServicePage)
        self.assertCanCreateAt(LabTestIndexPage, LabTestPage)
        self.assertCanCreateAt(CheckupIndexPage, CheckupPage)
        self.assertCanCreateAt(ContactsPage, BranchPage)
        self.assertCanCreateAt(ArticleIndexPage, ArticlePage)
        self.assertCanNotCreateAt(HomePage, ServicePage)
        self.assertCanNotCreateAt(ServiceIndexPage, ArticlePage)

    def test_the_legal_warning_is_on_every_service_lab_test_and_checkup_page(self):
        pages = [
            *ServicePage.objects.live(),
            *LabTestPage.objects.live(),
            *CheckupPage.objects.live(),
        ]
        assert len(pages) >= 60
        for page in pages:
            html = self.client.get(page.url).content.decode()
            assert WARNING in html, page.url
        # Not on an article or a doctor's page, and not an editor field anywhere.
        assert WARNING not in self.client.get(ArticlePage.objects.first().url).content.decode()
        for model in (ServicePage, LabTestPage, CheckupPage):
            fields = {f.name for f in model._meta.get_fields()}
            assert not {"warning", "legal_warning", "contraindications_warning"} & fields

    def test_price_and_duration_come_from_the_catalog(self):
        page = ServicePage.objects.live().select_related("service").first()
        service = page.service
        service.price = Decimal("12345")
        service.save()
        html = self.client.get(page.url).content.decode()
        assert "12 345 ₽" in html.replace("\xa0", " ")
        assert f"{service.duration_minutes} мин" in html

    def test_lab_test_page_shows_biomaterial_turnaround_and_preparation(self):
        page = LabTestPage.objects.get(lab_test__name="Общий анализ крови")
        html = self.client.get(page.url).content.decode()
        assert "Венозная кровь" in html
        assert "1 рабочий день" in html
        assert "Натощак" in html

    def test_checkup_calculator_works_without_javascript(self):
        page = CheckupPage.objects.live().first()
        items = checkup_items(program=page.program)
        full = checkup_total(items=items, chosen=None)
        assert checkup_price(program=page.program) == page.list_price == full > 0
        html = self.client.get(page.url).content.decode()
        assert f"{full:,.0f}".replace(",", "\xa0") in html
        assert "js/checkup-calculator.js" in html
        assert "<script>" not in html  # no inline script: the page must pass a strict CSP
        first = items[0]
        response = self.client.get(page.url, {"calculate": "1", "item": [first.key]})
        total = response.context["total"]
        assert total == first.price

    def test_doctor_page_shows_directory_data_photo_and_slots(self):
        page = DoctorPage.objects.live().select_related("doctor").first()
        html = self.client.get(page.url).content.decode()
        assert page.doctor.full_name in html
        assert "стажа" in html
        assert 'class="doctor__photo"' in html
        assert 'id="slots"' in html  # booking's include stays on the page

    def test_article_shows_who_reviewed_it_and_when(self):
        article = ArticlePage.objects.live().first()
        html = self.client.get(article.url).content.decode()
        assert "Медицинский эксперт" in html
        assert article.reviewed_by.full_name in html
        assert article.reviewed_at.isoformat() in html
        assert "Источники" in html

    def test_breadcrumbs_and_seo_tags(self):
        page = LabTestPage.objects.live().first()
        html = self.client.get(page.url).content.decode()
        assert 'aria-label="Хлебные крошки"' in html
        assert f'<link rel="canonical" href="{page.full_url}">' in html
        assert '<meta property="og:title"' in html
        assert '<meta name="description"' in html

    def test_russian_titles_get_latin_slugs(self):
        index = ServiceIndexPage.objects.get()
        page = ServicePage(
            title="Приём врача-невролога (на дому)", service=ServicePage.objects.first().service
        )
        page.slug = ""
        index.add_child(instance=page)
        assert page.slug == "priem-vracha-nevrologa-na-domu"
        twin = ServicePage(
            title="Приём врача-невролога (на дому)", slug="Приём", service=page.service
        )
        index.add_child(instance=twin)
        assert twin.slug.isascii()
        assert ServicePage.objects.filter(slug__regex=r"[^a-z0-9-]").count() == 0
        assert all(p.slug.isascii() for p in Page.objects.all())

    def test_robots_and_sitemap(self):
        robots = self.client.get("/robots.txt").content.decode()
        assert "Disallow: /admin/" in robots and "Sitemap: http://testserver/sitemap.xml" in robots
        sitemap = self.client.get("/sitemap.xml").content.decode()
        assert ServicePage.objects.first().full_url in sitemap
        assert LabTestPage.objects.first().full_url in sitemap

    def test_search_finds_word_forms_doctors_by_name_and_specialty(self):
        titles = [p.title for p in search_pages(query="анализ крови")]
        assert "Общий анализ крови" in titles
        assert "Общий анализ крови с лейкоцитарной формулой" in titles
        # Word forms: «анализы» and «крови» stem like «анализ» and «кровь».
        assert "Общий анализ крови" in [p.title for p in search_pages(query="анализы кровь")]
        doctor = DoctorPage.objects.filter(doctor__specialties__name="Кардиология").first()
        by_specialty = search_pages(query="кардиолог")
        assert doctor.pk in {p.pk for p in by_specialty}
        by_name = search_pages(query=doctor.doctor.last_name)
        assert doctor.pk in {p.pk for p in by_name}
        html = self.client.get("/search/", {"q": "анализ крови"}).content.decode()
        assert "Общий анализ крови" in html
        assert search_pages(query="   ") == []

    def test_the_blood_draw_section_offers_the_asked_branchs_room(self):
        by_branch = {r.branches.get().external_id: r for r in rooms()}
        asked = sample_collection(RequestFactory().get("/", {"branch": "br-ekb"}))
        assert asked["doctor"] == by_branch["br-ekb"]
        assert set(asked["rooms"]) == set(by_branch.values())
        unknown = sample_collection(RequestFactory().get("/", {"branch": "br-nowhere"}))
        assert unknown["doctor"] == unknown["rooms"][0]
        draw = Service.objects.get(code="A11.12.009")
        for_draw = sample_collection(RequestFactory().get("/"), service=draw)
        assert for_draw["rooms"] and all(draw in r.services.all() for r in for_draw["rooms"])
        consultation = Service.objects.exclude(doctors__in=rooms()).first()
        assert sample_collection(RequestFactory().get("/"), service=consultation) == {"rooms": []}

    def test_a_services_preparation_is_its_pages_text_without_tags(self):
        page = ServicePage.objects.live().exclude(preparation="").first()
        assert "<" in page.preparation
        text = preparation_of(page.service)
        assert text == plain_text(page.preparation) and text and "<" not in text
        without_page = Service.objects.create(
            external_id="sv-no-page", name="Без страницы", price=1, duration_minutes=10
        )
        assert preparation_of(without_page) == ""

    def test_search_names_no_room_specialty(self):
        room_specialties = Specialty.objects.filter(external_id__in=room_specialty_ids())
        assert room_specialties.exists()
        searched = set(searched_specialties())
        assert searched and not searched & set(room_specialties)

    def test_a_free_slug_skips_the_siblings_slugs(self):
        index = ServiceIndexPage.objects.get()
        taken = index.get_children().first().slug
        assert free_slug(index, taken) == f"{taken}-2"
        assert free_slug(index, "no-such-page") == "no-such-page"

    def test_anonymous_pages_come_from_the_cache_until_something_changes(self):
        page = LabTestPage.objects.live().select_related("lab_test").first()
        first = self.client.get(page.url).content
        with self.assertNumQueries(0):  # answered before Wagtail even routes the request
            assert self.client.get(page.url).content == first
        test = page.lab_test
        test.price = Decimal("4321")
        test.save()
        assert "4 321" in self.client.get(page.url).content.decode().replace("\xa0", " ")
        page.summary = "Новая сводка"
        page.save_revision().publish()
        assert "Новая сводка" in self.client.get(page.url).content.decode()
        # Editors never get a cached page (they see the userbar).
        from django.contrib.auth import get_user_model

        editor = get_user_model().objects.create_superuser("cache-editor", password="x-pw-12345")
        self.client.force_login(editor)
        assert "wagtail-userbar" in self.client.get(page.url).content.decode()

    def test_missing_page_is_a_russian_404(self):
        response = self.client.get("/services/no-such-service/")
        assert response.status_code == 404
        assert "Страница не найдена" in response.content.decode()


@override_settings(DEBUG=False)
class ServerErrorPage(TestCase):
    def test_500_page_is_russian_and_shows_no_trace(self):
        from django.test import Client

        from clinic_site import urls

        def boom(request):
            raise RuntimeError("secret internals")

        from django.urls import path

        urls.urlpatterns.insert(0, path("boom/", boom))
        try:
            response = Client(raise_request_exception=False).get("/boom/")
        finally:
            urls.urlpatterns.pop(0)
        html = response.content.decode()
        assert response.status_code == 500
        assert "Что-то пошло не так" in html
        assert "secret internals" not in html and "Traceback" not in html
