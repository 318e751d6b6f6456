"""A patient on a phone: home page, doctors, a doctor's free times, sticky buttons."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return bool(box) and box["y"] >= 0 and box["y"] + box["height"] <= size["height"]


def test_phone_visitor_reaches_a_doctors_free_times(live_server, phone, committed_demo, tmp_path):
    phone.goto(live_server.url + "/")
    assert phone.locator("html").get_attribute("lang") == "ru"
    call = phone.get_by_role("link", name="Позвонить")
    book = phone.get_by_role("link", name="Записаться")
    assert call.get_attribute("href") == "tel:+74950000000"
    assert in_viewport(phone, call) and in_viewport(phone, book)
    assert phone.evaluate("typeof window.htmx") == "object"  # served from npm's package

    phone.get_by_role("link", name="Выбрать врача").click()
    phone.wait_for_url("**/doctors/")
    doctors = phone.locator(".doctor-card__name a")
    assert doctors.count() == 10  # the finder's first page (of 44 doctors)
    # Sticky: after scrolling to the end of a long list both buttons are still there.
    phone.mouse.wheel(0, 20000)
    phone.wait_for_timeout(300)
    assert in_viewport(phone, call) and in_viewport(phone, book)

    doctors.first.click()
    phone.wait_for_load_state()
    assert phone.get_by_role("heading", name="Ближайшее свободное время").is_visible()
    slots = phone.locator(".slot")
    assert slots.count() > 0
    assert slots.first.locator("time").get_attribute("datetime").endswith("+00:00")
    phone.get_by_role("link", name="Записаться").click()
    assert phone.url.endswith("#slots")
    phone.screenshot(path=str(tmp_path / "doctor-page.png"), full_page=True)
    assert phone.errors == []
