"""A patient on a phone goes from the home page to a held time through the doctor
finder, counting taps; axe (WCAG 2.1 A/AA) finds nothing serious on the finder."""

import pytest
from playwright.sync_api import expect

from booking.models import Appointment
from catalog.models import Specialty
from tests.e2e.axe_check import serious_violations
from tests.e2e.codes import texted_code
from tests.e2e.taps import Taps

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def demo(committed_demo):
    """The demo clinic, committed (the live server's thread reads it)."""


def to_a_cardiologists_time(phone, live_server, taps) -> None:
    """Home → the finder → one specialty → a time held from the list."""
    phone.goto(live_server.url + "/")
    taps(phone.locator(".action-bar__button--book"))  # «Записаться» → the finder
    expect(phone.locator("h1")).to_have_text("Врачи")
    assert serious_violations(phone) == []
    taps(phone.locator(".finder-chip", has_text="Кардиология"))  # one specialty
    expect(phone.locator(".finder-chip[aria-current]")).to_have_text("Кардиология")
    expect(phone.locator(".doctor-card")).to_have_count(3)
    first_time = phone.locator(".doctor-card .slot__button").first
    expect(first_time).to_be_visible()
    phone.wait_for_load_state("networkidle")  # the components checked their times
    assert serious_violations(phone) == []
    taps(first_time)  # a time, held from the list
    expect(phone.locator(".booking__title").first).to_contain_text("удерживается")
    held = Appointment.objects.get()
    assert held.status == "held"
    assert held.doctor.specialties.filter(pk=Specialty.objects.get(name="Кардиология").pk).exists()


def test_a_guest_from_the_home_page_through_the_finder_to_a_booking(
    live_server, phone, demo, capsys
):
    taps = Taps(capsys)
    to_a_cardiologists_time(phone, live_server, taps)
    assert taps.report("guest, home → a held time (finder)") <= 3
    taps.count = 3
    form = phone.locator("form:has([data-book])")
    form.get_by_label("Фамилия").fill("Тестова")
    form.get_by_label("Имя").fill("Анна")
    form.get_by_label("Мобильный телефон").fill("+7 999 000-00-51")
    taps(form.get_by_label("обработку моих"))
    taps(form.get_by_role("button", name="Получить код по SMS"))
    form.get_by_label("Код из SMS").fill(texted_code("+79990000051"))  # 6th digit books
    expect(phone.locator("[data-done-title]")).to_contain_text("Вы записаны")
    assert taps.report("guest, home → a confirmed booking (+ name, phone, code typed)") <= 5
    assert Appointment.objects.get().status == "confirmed"
    assert serious_violations(phone) == []
    assert phone.errors == []


def test_a_logged_in_patient_books_from_the_finder(live_server, phone, demo, capsys):
    from django.test import Client

    from cabinet.accounts.models import User
    from tests.cabinet.conftest import open_cabinet

    client = Client()
    open_cabinet(client, User.objects.get(username="patient"))
    phone.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    taps = Taps(capsys)
    to_a_cardiologists_time(phone, live_server, taps)
    taps(phone.get_by_role("button", name="Записаться на это время"))
    expect(phone.locator("[data-done-person]")).to_have_text("Демонстрационная Пациентка Тестовна")
    assert taps.report("logged-in patient, home → a confirmed booking (finder)") <= 4
    booked = Appointment.objects.get()
    assert (booked.status, booked.patient.username) == ("confirmed", "patient")
    assert phone.errors == []


def test_the_filters_work_without_javascript_and_the_branch_is_remembered(
    live_server, browser, demo
):
    from tests.e2e.conftest import PHONE

    context = browser.new_context(**PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/doctors/")
    page.get_by_label("Город и филиал").select_option(label="Филиал в Екатеринбурге")
    page.get_by_label("Онлайн-консультация").check()
    page.get_by_role("button", name="Показать врачей").tap()
    expect(page.locator(".finder__place")).to_contain_text("Екатеринбург")
    assert "online=1" in page.url
    for branch in page.locator(".doctor-card .slot__branch").all_inner_texts():
        assert branch == "Филиал в Екатеринбурге"
    # Next time the finder opens on the same city.
    page.goto(live_server.url + "/doctors/")
    expect(page.locator(".finder__place")).to_contain_text("Екатеринбург")
    context.close()
