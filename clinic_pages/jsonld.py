"""Schema.org JSON-LD builders: plain data in, one dict per item out.

Pages call these with their data; the `json_ld` template tag prints the result.
Every type and property used here exists in schema.org on that type or one of
its ancestors (tests/clinic_pages/test_jsonld.py checks it against
clinic_pages/schemaorg_subset.json). schema.org gives MedicalProcedure and
MedicalTest no `offers`, so a price is a separate `Service` item with an Offer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal

CONTEXT = "https://schema.org"


def _clean(data: dict) -> dict:
    """Drop empty values: schema.org items carry only what is known."""
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}


def item(type_: str, **properties: object) -> dict:
    return _clean({"@context": CONTEXT, "@type": type_, **properties})


def _node(type_: str, **properties: object) -> dict:
    return _clean({"@type": type_, **properties})


def postal_address(address: str, *, country: str = "RU") -> dict:
    return _node("PostalAddress", streetAddress=address, addressCountry=country)


def offer(price: Decimal, *, url: str = "", currency: str = "RUB") -> dict:
    return _node(
        "Offer",
        price=f"{Decimal(price):.2f}",
        priceCurrency=currency,
        availability="https://schema.org/InStock",
        url=url,
    )


def medical_organization(
    *, name: str, url: str, telephone: str = "", logo_url: str = "", branches: Sequence[dict] = ()
) -> dict:
    """The clinic itself, printed on every page."""
    return item(
        "MedicalOrganization",
        name=name,
        url=url,
        telephone=telephone,
        logo=logo_url,
        department=list(branches),
    )


def medical_clinic(
    *,
    name: str,
    url: str,
    address: str,
    telephone: str,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    opening_hours: Iterable[tuple[Sequence[str], time, time]] = (),
    image_url: str = "",
) -> dict:
    """A branch: address, map point, opening hours, phone."""
    geo = None
    if latitude is not None and longitude is not None:
        geo = _node("GeoCoordinates", latitude=float(latitude), longitude=float(longitude))
    return item(
        "MedicalClinic",
        name=name,
        url=url,
        address=postal_address(address),
        telephone=telephone,
        geo=geo,
        image=image_url,
        openingHoursSpecification=[
            _node(
                "OpeningHoursSpecification",
                dayOfWeek=[f"https://schema.org/{day}" for day in days],
                opens=_hhmm(opens),
                closes=_hhmm(closes),
            )
            for days, opens, closes in opening_hours
        ],
    )


def _hhmm(value: time | str) -> str:
    return value.strftime("%H:%M") if isinstance(value, time) else str(value)[:5]


def physician(
    *,
    name: str,
    url: str,
    specialties: Sequence[str],
    description: str = "",
    image_url: str = "",
    branches: Sequence[dict] = (),
) -> dict:
    """A doctor. schema.org's Physician is a MedicalOrganization-like type; its
    address is where the doctor receives patients."""
    return item(
        "Physician",
        name=name,
        url=url,
        medicalSpecialty=list(specialties),
        description=description,
        image=image_url,
        address=list(branches),
    )


def person(*, name: str, url: str = "", job_title: str = "") -> dict:
    return _node("Person", name=name, url=url, jobTitle=job_title)


def medical_procedure(
    *, name: str, url: str, description: str = "", code: str = "", preparation: str = ""
) -> dict:
    """A service as a medical procedure: no price here (schema.org has no `offers` on it)."""
    return item(
        "MedicalProcedure",
        name=name,
        url=url,
        description=description,
        preparation=preparation,
        code=_code(code),
    )


def medical_test(*, name: str, url: str, description: str = "", code: str = "") -> dict:
    return item("MedicalTest", name=name, url=url, description=description, code=_code(code))


def _code(code: str) -> dict | None:
    if not code:
        return None
    # The Russian nomenclature of medical services (order 804n).
    return _node("MedicalCode", codeValue=code, codingSystem="Номенклатура медицинских услуг")


def priced_service(
    *, name: str, url: str, price: Decimal, provider_name: str, description: str = ""
) -> dict:
    """What the patient pays: a Service with an Offer in roubles."""
    return item(
        "Service",
        name=name,
        url=url,
        description=description,
        provider=_node("MedicalOrganization", name=provider_name),
        offers=offer(price, url=url),
    )


def medical_web_page(
    *,
    name: str,
    url: str,
    description: str = "",
    author: dict | None = None,
    reviewer: dict | None = None,
    last_reviewed: date | None = None,
    published: datetime | None = None,
    modified: datetime | None = None,
    citations: Sequence[str] = (),
) -> dict:
    """An article: who wrote it, which doctor reviewed it and when."""
    return item(
        "MedicalWebPage",
        name=name,
        headline=name,
        url=url,
        description=description,
        author=author,
        reviewedBy=reviewer,
        lastReviewed=last_reviewed.isoformat() if last_reviewed else None,
        datePublished=published.isoformat() if published else None,
        dateModified=modified.isoformat() if modified else None,
        citation=list(citations),
        inLanguage="ru",
    )


def faq_page(questions: Sequence[tuple[str, str]]) -> dict:
    return item(
        "FAQPage",
        mainEntity=[
            _node("Question", name=q, acceptedAnswer=_node("Answer", text=a)) for q, a in questions
        ],
    )


def breadcrumb_list(trail: Sequence[tuple[str, str]]) -> dict:
    """(title, absolute URL) from the home page to the current page."""
    return item(
        "BreadcrumbList",
        itemListElement=[
            _node("ListItem", position=position, name=title, item=url)
            for position, (title, url) in enumerate(trail, start=1)
        ],
    )
