"""Service prices as 1C's price list sets them: the price book CatalogConfig.ready()
registers with integrations.commerceml.prices."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from catalog.models import Service
from integrations.commerceml.prices import PriceBook, PricedService


def priced_services() -> list[PricedService]:
    """The active services that have a nomenclature code, which a price list names."""
    active = Service.objects.filter(is_active=True).exclude(code="")
    return [
        PricedService(pk=s.pk, code=s.code, name=s.name, price=s.price)
        for s in active.only("pk", "code", "name", "price")
    ]


def write_prices(new_prices: dict[int, Decimal]) -> int:
    """Set these prices in one transaction; rows already at their price are not written."""
    with transaction.atomic():
        rows = list(
            Service.objects.select_for_update().filter(pk__in=new_prices).only("pk", "price")
        )
        changed = [row for row in rows if row.price != new_prices[row.pk]]
        for row in changed:
            row.price = new_prices[row.pk]
        Service.objects.bulk_update(changed, ["price"], batch_size=500)
    return len(changed)


PRICE_BOOK = PriceBook(services=priced_services, write=write_prices)
