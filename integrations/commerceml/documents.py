"""CommerceML 2 documents: the goods of import.xml and the offers (prices) of offers.xml.

Elements are matched by local name, so files with the
`urn:1C.ru:commerceml_2` namespace and files without one both parse. Anything
that is not what the format promises raises CommerceMLError with a reason a
person can act on; nothing is written while parsing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from lxml import etree

ROOT = "КоммерческаяИнформация"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class CommerceMLError(Exception):
    """The file is not a CommerceML document we can import; the text says why."""


@dataclass(frozen=True)
class Good:
    """Товар: 1C's id, its article (our nomenclature code) and its name."""

    id: str
    article: str
    name: str


@dataclass(frozen=True)
class Offer:
    """Предложение: the price of a good in one price type."""

    good_id: str
    price_type_id: str
    price: Decimal
    currency: str


@dataclass(frozen=True)
class PriceType:
    id: str
    name: str
    currency: str


@dataclass(frozen=True)
class OfferPackage:
    price_types: tuple[PriceType, ...]
    offers: tuple[Offer, ...]


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if isinstance(child.tag, str) and _local(child) == name]


def _child(element: etree._Element, name: str) -> etree._Element | None:
    found = _children(element, name)
    return found[0] if found else None


def _within(element: etree._Element, name: str) -> etree._Element:
    """The child `name` when present, else the element itself (lenient nesting)."""
    child = _child(element, name)
    return element if child is None else child


def _text(element: etree._Element, name: str) -> str:
    child = _child(element, name)
    return (child.text or "").strip() if child is not None else ""


def _root(path: Path, label: str) -> etree._Element:
    try:
        root = etree.parse(str(path), parser=_PARSER).getroot()
    except etree.XMLSyntaxError as exc:
        raise CommerceMLError(f"{label} is not well-formed XML: {exc}") from exc
    except OSError as exc:
        raise CommerceMLError(f"{label} was not uploaded") from exc
    if _local(root) != ROOT:
        raise CommerceMLError(f"{label}: the root element is {_local(root)}, not {ROOT}")
    return root


def read_goods(path: Path, label: str = "import.xml") -> list[Good]:
    """Каталог/Товары/Товар of an import.xml."""
    root = _root(path, label)
    catalog = _child(root, "Каталог")
    if catalog is None:
        if _child(root, "Классификатор") is not None:
            return []  # a classifier-only file: nothing priced in it
        raise CommerceMLError(f"{label}: no Каталог")
    goods = []
    for number, node in enumerate(_children(_within(catalog, "Товары"), "Товар"), 1):
        good_id = _text(node, "Ид")
        if not good_id:
            raise CommerceMLError(f"{label}: Товар #{number} has no Ид")
        goods.append(
            Good(id=good_id, article=_text(node, "Артикул"), name=_text(node, "Наименование"))
        )
    return goods


def read_offers(path: Path, label: str = "offers.xml") -> OfferPackage:
    """ПакетПредложений/ТипыЦен and Предложения/Предложение/Цены of an offers.xml."""
    root = _root(path, label)
    package = _child(root, "ПакетПредложений")
    if package is None:
        raise CommerceMLError(f"{label}: no ПакетПредложений")
    price_types = tuple(
        PriceType(_text(node, "Ид"), _text(node, "Наименование"), _text(node, "Валюта"))
        for node in _children(_within(package, "ТипыЦен"), "ТипЦены")
    )
    offers = []
    for number, node in enumerate(_children(_within(package, "Предложения"), "Предложение"), 1):
        # "<good>#<characteristic>": a characteristic of a service is still that service.
        good_id = _text(node, "Ид").split("#", 1)[0]
        if not good_id:
            raise CommerceMLError(f"{label}: Предложение #{number} has no Ид")
        for price in _children(_within(node, "Цены"), "Цена"):
            raw = (
                _text(price, "ЦенаЗаЕдиницу").replace(",", ".").replace("\xa0", "").replace(" ", "")
            )
            try:
                amount = Decimal(raw)
            except InvalidOperation:
                raise CommerceMLError(
                    f"{label}: the price of {good_id} is not a number: {raw!r}"
                ) from None
            if not amount.is_finite() or amount < 0:
                raise CommerceMLError(f"{label}: the price of {good_id} is {raw!r}")
            offers.append(
                Offer(
                    good_id=good_id,
                    price_type_id=_text(price, "ИдТипаЦены"),
                    price=amount,
                    currency=_text(price, "Валюта"),
                )
            )
    return OfferPackage(price_types=price_types, offers=tuple(offers))
