"""A patient on a phone books a free time from a doctor's page, in a real Chromium."""

import re

from django.db import connections

import pytest
from playwright.sync_api import expect

from booking import services
from booking.consent import current_consent
from booking.models import Appointment, WaitlistEntry
from booking.selectors import default_service, next_free_slots, rooms
from clinic_pages.models import DoctorPage, LabTestPage
from tests.e2e.codes import texted_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def doctor_page(committed_demo):
    for page in DoctorPage.objects.select_related("doctor"):
        if len(next_free_slots(doctor=page.doctor)) >= 3:
            return page
    raise AssertionError("no doctor with free times")


def fill_patient(page, phone="+7 999 000-00-05"):
    form = page.locator("form:has([data-book])")
    form.get_by_label("Фамилия").fill("Тестова")
    form.get_by_label("Имя").fill("Анна")
    form.get_by_label("Мобильный телефон").fill(phone)


def test_a_guest_books_from_the_doctor_page_in_three_taps(live_server, phone, doctor_page):
    phone.goto(live_server.url + doctor_page.url)
    slot = phone.locator(".slot__button").first
    expect(slot).to_be_visible()
    slot.tap()  # tap 1: the slot is held
    expect(phone.locator(".booking__title")).to_contain_text("удерживается")
    assert Appointment.objects.get().status == "held"
    fill_patient(phone)
    phone.get_by_role("button", name="Получить код по SMS").tap()  # no consent yet: refused
    expect(phone.locator("form:has([data-book]) [data-errors]")).to_contain_text("согласие на")
    phone.locator("form:has([data-book])").get_by_label("обработку моих").check()  # tap 2
    phone.get_by_role("button", name="Получить код по SMS").tap()  # tap 3
    expect(phone.get_by_label("Код из SMS")).to_be_focused()
    phone.get_by_label("Код из SMS").fill(texted_code("+79990000005"))  # its 6th digit books
    done = phone.locator("[data-done]")
    expect(done).to_be_focused()
    expect(done.locator("[data-done-title]")).to_contain_text("Вы записаны")
    appointment = Appointment.objects.get()
    assert appointment.status == "confirmed"
    assert appointment.patient_phone == "+79990000005"
    consent = current_consent()
    assert (appointment.consent_via, appointment.consent_version) == ("form", consent.version)
    assert appointment.consent_sha256 == consent.sha256
    expect(done).to_contain_text(appointment.branch.address)
    expect(done).to_contain_text("местное время филиала")
    expect(done.locator("[data-done-calendar]")).to_have_attribute("href", re.compile(r"\.ics$"))
    expect(done.locator("[data-done-manage]")).to_have_attribute(
        "href", re.compile("/book/manage/")
    )
    expect(phone.locator("[data-waitlist]")).to_be_hidden()
    expect(phone.locator(".slot__button")).to_have_count(0)
    assert phone.errors == []


def test_keyboard_only_booking(live_server, phone, doctor_page):
    phone.goto(live_server.url + doctor_page.url)
    expect(phone.locator(".slot__button").first).to_be_visible()
    # Tab from the top of the page until the first slot button has the focus.
    for _ in range(40):
        phone.keyboard.press("Tab")
        if phone.evaluate("document.activeElement.classList.contains('slot__button')"):
            break
    else:
        pytest.fail("no slot button is reachable with Tab")
    phone.keyboard.press("Enter")
    expect(phone.locator(".booking__title")).to_be_focused()
    phone.keyboard.press("Tab")
    phone.keyboard.type("Тестова")
    phone.keyboard.press("Tab")
    phone.keyboard.type("Анна")
    phone.keyboard.press("Tab")
    phone.keyboard.type("+79990000006")
    phone.keyboard.press("Tab")
    phone.keyboard.press("Space")  # the consent
    phone.keyboard.press("Shift+Tab")
    phone.keyboard.press("Enter")  # asks for the code
    expect(phone.get_by_label("Код из SMS")).to_be_focused()
    phone.keyboard.type(texted_code("+79990000006"))
    phone.keyboard.press("Enter")
    expect(phone.locator("[data-done]")).to_contain_text("Вы записаны")
    assert phone.errors == []


def test_a_time_taken_meanwhile_offers_alternatives(live_server, phone, doctor_page):
    phone.goto(live_server.url + doctor_page.url)
    phone.wait_for_load_state("networkidle")  # the list has been checked against the API
    first = phone.locator(".slot").first
    start = first.get_attribute("data-start")
    # Someone else holds it between page load and the tap.
    held = services.hold_slot(
        doctor=doctor_page.doctor,
        service=default_service(doctor_page.doctor),
        start=Appointment._meta.get_field("start").to_python(start),
    )
    phone.locator(".slot__button").first.tap()
    expect(phone.locator("[data-status]")).to_contain_text("только что заняли")
    alternatives = phone.locator(".slot__button")
    expect(alternatives).to_have_count(3)
    assert re.search(r"\d\d:\d\d", alternatives.first.inner_text())
    alternatives.first.tap()
    expect(phone.locator(".booking__title")).to_contain_text("удерживается")
    assert Appointment.objects.exclude(pk=held.pk).get().status == "held"
    # The API's 409 is the expected answer; Chromium logs every 4xx response.
    assert [e for e in phone.errors if "409 (Conflict)" not in e] == []


def test_times_taken_since_the_page_was_rendered_are_dropped(live_server, phone, doctor_page):
    """The page may come from a cache: the component checks its times against the API."""
    first = next_free_slots(doctor=doctor_page.doctor)[0]

    def someone_books_it_first(route):
        services.hold_slot(doctor=first.doctor, service=first.service, start=first.start)
        connections.close_all()  # this callback runs in Playwright's context
        route.continue_()

    phone.route("**/api/v1/slots/**", someone_books_it_first)
    phone.goto(live_server.url + doctor_page.url)
    phone.wait_for_load_state("networkidle")
    starts = phone.locator(".slot").evaluate_all("els => els.map(e => e.dataset.start)")
    assert starts and first.start.isoformat() not in starts
    assert phone.errors == []


def test_joining_the_waitlist_from_the_doctor_page(live_server, phone, doctor_page):
    phone.goto(live_server.url + doctor_page.url)
    phone.get_by_text("Хочу записаться раньше").tap()
    form = phone.locator("[data-waitlist-form]")
    form.get_by_label("Фамилия").fill("Ждущая")
    form.get_by_label("Имя").fill("Ольга")
    form.get_by_label("Мобильный телефон").fill("8 999 000-00-31")
    form.get_by_label("обработку моих персональных данных").check()
    form.get_by_role("button", name="Сообщить, когда освободится время").tap()
    expect(phone.locator("[data-status]")).to_contain_text("листе ожидания")
    entry = WaitlistEntry.objects.get()
    assert (entry.phone, entry.doctor_id, entry.status) == (
        "+79990000031",
        doctor_page.doctor.pk,
        "waiting",
    )
    assert phone.errors == []


def test_from_a_lab_test_page_book_a_blood_draw(live_server, phone, committed_demo):
    # The longest one-word title wraps: the page is no wider than the phone.
    long_title = LabTestPage.objects.live().get(title__startswith="Аланинаминотрансфераза")
    phone.goto(live_server.url + long_title.url)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    lab_page = LabTestPage.objects.live().get(title="Общий анализ крови")
    phone.goto(live_server.url + lab_page.url)
    phone.locator(".action-bar__button--book").tap()  # Book: to the procedure room's times
    phone.wait_for_url("**#sample-collection")
    slot = phone.locator("#sample-collection .slot__button").first
    expect(slot).to_be_in_viewport()
    slot.tap()
    expect(phone.locator(".booking__title")).to_contain_text("удерживается")
    expect(phone.locator("form:has([data-book])")).to_be_visible()
    held = Appointment.objects.get()
    assert held.status == "held" and held.doctor in rooms()
    assert held.service.code == "A11.12.009"
    assert phone.errors == []
