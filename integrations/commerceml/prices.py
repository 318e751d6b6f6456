"""Price lists from 1C into the catalog: plan the changes, then write only those.

The catalog's prices are read and written through the price book the catalog
registers (CatalogConfig.ready()): this layer never imports the catalog.

A good is our service when its Артикул is the service's nomenclature code
(assumed, INTEGRATIONS.md); where several services share a code (a visit and
its telemedicine variant) the good's Наименование picks one, else the good
is reported as ambiguous and not applied. Only prices change: names, durations and the
list of services stay the MIS's. A good we have no service for is reported,
never created; a price in another currency is reported and left alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured

from integrations.commerceml.documents import CommerceMLError, Good, OfferPackage

ROUBLES = {"руб", "руб.", "rub", "rur", "643", ""}


@dataclass(frozen=True)
class PricedService:
    """A service a price list may price: the catalog's row id, its nomenclature code."""

    pk: int
    code: str
    name: str
    price: Decimal


@dataclass(frozen=True)
class PriceBook:
    """Where prices live. `services()`: the active services that have a code;
    `write(new_prices)`: set {service pk: price} in one transaction, all or none,
    leaving rows already at their price alone; the number of rows written."""

    services: Callable[[], list[PricedService]]
    write: Callable[[dict[int, Decimal]], int]


_price_book: PriceBook | None = None


def register_price_book(book: PriceBook) -> None:
    """The catalog registers its prices here in its AppConfig.ready()."""
    global _price_book
    _price_book = book


def _book() -> PriceBook:
    if _price_book is None:
        raise ImproperlyConfigured("No price book is registered for the 1C price list (catalog).")
    return _price_book


@dataclass(frozen=True)
class PriceChange:
    service_pk: int
    code: str
    old: str
    new: str


@dataclass
class PricePlan:
    price_type: str = ""
    changes: list[PriceChange] = field(default_factory=list)
    unchanged: int = 0
    unknown: list[str] = field(default_factory=list)  # Артикул (or Ид) we have no service for
    ambiguous: list[str] = field(default_factory=list)  # Артикул several services share
    skipped: list[str] = field(default_factory=list)  # why an offer was not applied

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> PricePlan:
        plan = cls(**{**data, "changes": []})
        plan.changes = [PriceChange(**change) for change in data.get("changes", [])]
        return plan

    def summary(self) -> str:
        text = (
            f"updated {len(self.changes)}, unchanged {self.unchanged}, unknown {len(self.unknown)}"
        )
        if self.unknown:
            text += ": " + ", ".join(self.unknown[:20]) + (" ..." if len(self.unknown) > 20 else "")
        if self.ambiguous:
            text += f"; ambiguous {len(self.ambiguous)}: " + "; ".join(self.ambiguous[:5])
        if self.skipped:
            text += f"; skipped {len(self.skipped)}: " + "; ".join(self.skipped[:5])
        return text


def _price_type(package: OfferPackage, wanted: str) -> str:
    """The id of the price type to import: the one named `wanted`, else the only/first one."""
    if wanted:
        for price_type in package.price_types:
            if wanted in (price_type.name, price_type.id):
                return price_type.id
        raise CommerceMLError(f"offers.xml has no price type {wanted!r}")
    if package.price_types:
        return package.price_types[0].id
    return ""


def plan_prices(*, goods: list[Good], package: OfferPackage, price_type: str = "") -> PricePlan:
    """What importing these offers would change in the catalog (reads only)."""
    type_id = _price_type(package, price_type)
    plan = PricePlan(price_type=type_id)
    by_id = {good.id: good for good in goods}
    services: dict[str, list[PricedService]] = {}
    for service in _book().services():
        services.setdefault(service.code, []).append(service)
    seen: set[str] = set()
    for offer in package.offers:
        if type_id and offer.price_type_id and offer.price_type_id != type_id:
            continue
        if offer.good_id in seen:
            continue
        seen.add(offer.good_id)
        good = by_id.get(offer.good_id)
        if good is None or not good.article:
            plan.unknown.append(good.name if good else offer.good_id)
            continue
        matches = services.get(good.article, [])
        if not matches:
            plan.unknown.append(good.article)
            continue
        if len(matches) > 1:
            named = [s for s in matches if s.name.casefold() == good.name.casefold()]
            if len(named) != 1:
                plan.ambiguous.append(f"{good.article} {good.name}")
                continue
            matches = named
        if offer.currency.casefold() not in ROUBLES:
            plan.skipped.append(f"{good.article} priced in {offer.currency}")
            continue
        new = offer.price.quantize(Decimal("0.01"))
        for service in matches:
            if service.price == new:
                plan.unchanged += 1
            else:
                plan.changes.append(
                    PriceChange(service.pk, good.article, str(service.price), str(new))
                )
    return plan


def apply_prices(plan: PricePlan) -> int:
    """Write the planned prices in one transaction: all of them or none. Rows
    whose price already is the new one are not written again."""
    if not plan.changes:
        return 0
    return _book().write({change.service_pk: Decimal(change.new) for change in plan.changes})
