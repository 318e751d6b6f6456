"""JSON-LD: every type and property exists in schema.org; extruct reads every demo page."""

import json
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

from django.test import TestCase

from wagtail.models import Page

import extruct

from clinic_pages import jsonld
from clinic_pages.models import ArticlePage, DoctorPage, ServicePage
from clinic_pages.templatetags.clinic_tags import json_for_script
from tests.clinic_pages.conftest import load_demo_site

VOCABULARY = json.loads(
    (Path(jsonld.__file__).parent / "schemaorg_subset.json").read_text(encoding="utf-8")
)["types"]


def properties_of(type_name: str) -> set[str]:
    """Properties schema.org allows on a type: its own and its ancestors'."""
    assert type_name in VOCABULARY, f"{type_name} is not a schema.org type we know"
    entry = VOCABULARY[type_name]
    allowed = set(entry["properties"])
    for parent in entry["parents"]:
        allowed |= properties_of(parent)
    return allowed


def schema_errors(node: object, path: str = "$") -> list[str]:
    """Every type unknown to schema.org and every property not on its type."""
    errors: list[str] = []
    if isinstance(node, list):
        for i, value in enumerate(node):
            errors += schema_errors(value, f"{path}[{i}]")
    elif isinstance(node, dict):
        type_name = node.get("@type")
        if type_name is not None:
            if type_name not in VOCABULARY:
                return [f"{path}: unknown type {type_name}"]
            allowed = properties_of(type_name)
            errors += [
                f"{path}: {type_name} has no property {key}"
                for key in node
                if not key.startswith("@") and key not in allowed
            ]
        for key, value in node.items():
            errors += schema_errors(value, f"{path}.{key}")
    return errors


ALL_BUILDERS = [
    jsonld.medical_organization(
        name="Клиника", url="https://c.example/", telephone="+7", logo_url="https://c.example/l.png"
    ),
    jsonld.medical_clinic(
        name="Филиал",
        url="https://c.example/b/",
        address="г. Москва, ул. Примерная, 1",
        telephone="+7",
        latitude=Decimal("55.7"),
        longitude=Decimal("37.6"),
        opening_hours=[(["Monday", "Friday"], time(8), time(20))],
        image_url="https://c.example/i.png",
    ),
    jsonld.physician(
        name="Иванова Анна",
        url="https://c.example/d/",
        specialties=["Терапия"],
        description="стаж 10 лет",
        image_url="https://c.example/p.png",
        branches=[jsonld.postal_address("г. Москва")],
    ),
    jsonld.medical_procedure(
        name="Эхокардиография", url="https://c.example/s/", code="A04.10.002", preparation="Нет"
    ),
    jsonld.medical_test(name="Общий анализ крови", url="https://c.example/t/", code="B03.016.002"),
    jsonld.priced_service(
        name="Эхокардиография", url="https://c.example/s/", price=Decimal(4200), provider_name="К"
    ),
    jsonld.medical_web_page(
        name="Статья",
        url="https://c.example/a/",
        description="О давлении",
        author=jsonld.person(name="Петров", url="https://c.example/d/", job_title="Кардиология"),
        reviewer=jsonld.person(name="Иванова", url="https://c.example/d2/"),
        last_reviewed=date(2026, 1, 2),
        published=datetime(2026, 1, 1, 10),
        modified=datetime(2026, 1, 3, 10),
        citations=["Клинические рекомендации"],
    ),
    jsonld.faq_page([("Вопрос?", "Ответ.")]),
    jsonld.breadcrumb_list([("Главная", "https://c.example/"), ("Врачи", "https://c.example/d/")]),
]


def test_every_builder_uses_only_schema_org_types_and_properties():
    for item in ALL_BUILDERS:
        assert item["@context"] == "https://schema.org"
        assert schema_errors(item) == [], item["@type"]


def test_the_vocabulary_check_catches_what_schema_org_lacks():
    # MedicalProcedure has no `offers` in schema.org: a price there must fail.
    wrong = {"@type": "MedicalProcedure", "name": "x", "offers": {"@type": "Offer"}}
    assert schema_errors(wrong) == ["$: MedicalProcedure has no property offers"]
    assert schema_errors({"@type": "MedicalDoctorPage"}) == ["$: unknown type MedicalDoctorPage"]


def test_prices_are_offers_in_roubles():
    service = ALL_BUILDERS[5]
    assert service["offers"] == {
        "@type": "Offer",
        "price": "4200.00",
        "priceCurrency": "RUB",
        "availability": "https://schema.org/InStock",
        "url": "https://c.example/s/",
    }
    assert "offers" not in ALL_BUILDERS[3]


def test_script_json_escapes_what_could_close_the_script_tag():
    text = json_for_script({"name": "</script><script>alert(1)</script> & <b>"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"name": "</script><script>alert(1)</script> & <b>"}


# What each demo page type must describe, with the properties it must carry.
EXPECTED = {
    "HomePage": {},
    "ServicePage": {
        "MedicalProcedure": {"name", "url", "code"},
        "Service": {"name", "offers", "provider"},
        "BreadcrumbList": {"itemListElement"},
    },
    "LabTestPage": {
        "MedicalTest": {"name", "url", "code"},
        "Service": {"name", "offers"},
        "BreadcrumbList": {"itemListElement"},
    },
    "CheckupPage": {"Service": {"name", "offers"}, "FAQPage": {"mainEntity"}},
    "DoctorPage": {"Physician": {"name", "medicalSpecialty", "url", "image"}},
    "BranchPage": {
        "MedicalClinic": {"name", "address", "telephone", "geo", "openingHoursSpecification"}
    },
    "ArticlePage": {
        "MedicalWebPage": {"name", "author", "reviewedBy", "lastReviewed", "citation"},
    },
}


class DemoPagesStructuredData(TestCase):
    """One load of the demo site for every test of the class (setUpTestData)."""

    @classmethod
    def setUpTestData(cls):
        load_demo_site()

    def test_extruct_reads_every_demo_page(self):
        pages = list(Page.objects.live().filter(depth__gt=1).specific())
        assert len(pages) > 130 and any(isinstance(p, DoctorPage) for p in pages)
        seen_types: set[str] = set()
        for page in pages:
            response = self.client.get(page.url)
            assert response.status_code == 200, page.url
            data = extruct.extract(
                response.content.decode(), base_url=page.full_url, syntaxes=["json-ld"]
            )["json-ld"]
            by_type = {item["@type"]: item for item in data}
            assert "MedicalOrganization" in by_type, page.url
            for item in data:
                assert schema_errors(item) == [], (page.url, item["@type"])
            for type_name, required in EXPECTED.get(type(page).__name__, {}).items():
                assert type_name in by_type, (page.url, type_name)
                assert required <= by_type[type_name].keys(), (page.url, type_name)
            seen_types |= by_type.keys()
        assert {
            "MedicalOrganization",
            "MedicalClinic",
            "Physician",
            "MedicalProcedure",
            "MedicalTest",
            "Service",
            "MedicalWebPage",
            "FAQPage",
            "BreadcrumbList",
        } <= seen_types

    def test_article_json_ld_names_the_reviewing_doctor(self):
        article = ArticlePage.objects.live().first()
        html = self.client.get(article.url).content.decode()
        data = extruct.extract(html, syntaxes=["json-ld"])["json-ld"]
        page = next(i for i in data if i["@type"] == "MedicalWebPage")
        assert page["reviewedBy"]["name"] == article.reviewed_by.full_name
        assert page["lastReviewed"] == article.reviewed_at.isoformat()

    def test_editor_text_cannot_break_out_of_the_json_ld_script(self):
        page = ServicePage.objects.live().first()
        for evil in ("</script><script>alert(1)</script>", "a & b <!--"):
            page.summary = evil
            page.save()
            html = self.client.get(page.url).content.decode()
            head = html.split("</head>")[0]
            assert "<script>alert(1)" not in head
            data = extruct.extract(html, syntaxes=["json-ld"])["json-ld"]
            procedure = next(i for i in data if i["@type"] == "MedicalProcedure")
            assert procedure["description"] == evil
