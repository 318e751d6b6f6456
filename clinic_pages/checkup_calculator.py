"""The check-up price calculator: a program's items at today's prices, the chosen ones' sum."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from catalog.models import CheckupProgram


@dataclass(frozen=True)
class CheckupItem:
    key: str  # "lt-<id>" or "sv-<id>": the form value of the item's checkbox
    name: str
    kind: str  # "lab_test" | "service"
    price: Decimal


def checkup_items(*, program: CheckupProgram) -> list[CheckupItem]:
    """The program's lab tests and services with their current price-list prices."""
    tests = [
        CheckupItem(f"lt-{t.pk}", t.name, "lab_test", t.price)
        for t in program.lab_tests.filter(is_active=True).order_by("name")
    ]
    services = [
        CheckupItem(f"sv-{s.pk}", s.name, "service", s.price)
        for s in program.services.filter(is_active=True).order_by("name")
    ]
    return tests + services


def checkup_total(*, items: list[CheckupItem], chosen: Iterable[str] | None) -> Decimal:
    """The sum of the chosen items (None: the whole program); unknown keys are ignored."""
    keys = None if chosen is None else set(chosen)
    return sum((i.price for i in items if keys is None or i.key in keys), Decimal(0))


def checkup_price(*, program: CheckupProgram) -> Decimal:
    """The whole program's price: what its list and structured data show."""
    return checkup_total(items=checkup_items(program=program), chosen=None)
