"""The check-up calculator on a phone: unticking an item lowers the total at once."""

import re

import pytest

from clinic_pages.models import CheckupPage
from tests.clinic_pages.conftest import load_demo_site

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def roubles(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def test_unticking_an_item_recalculates_the_total(live_server, phone):
    load_demo_site()
    page = CheckupPage.objects.live().first()
    phone.goto(live_server.url + page.url)
    total = phone.locator("[data-total]")
    before = roubles(total.inner_text())
    first = phone.locator("input[data-price]").first
    price = round(float(first.get_attribute("data-price")))
    # With JavaScript the total follows the boxes; the "Recalculate" button is not needed.
    assert phone.locator("[data-recalculate]").is_hidden()
    first.uncheck()
    assert roubles(total.inner_text()) == before - price
    first.check()
    assert roubles(total.inner_text()) == before
    assert phone.get_by_text("Имеются противопоказания").is_visible()
    assert phone.errors == []
