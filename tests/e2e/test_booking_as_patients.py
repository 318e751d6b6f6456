"""On a phone, in a real Chromium: a logged-in parent books for her child from
a doctor's page (the CSRF token from the page), the confirmation screen, then
cancels with its question and gets the SMS, and moves a visit on the day grid.
The taps are counted and printed; axe checks every step."""

import re
from zoneinfo import ZoneInfo

from django.test import Client

import pytest
from playwright.sync_api import expect

from booking.models import Appointment
from booking.selectors import next_free_slots
from cabinet.accounts.models import User
from clinic_pages.models import DoctorPage
from integrations.sms.models import SmsDelivery
from tests.cabinet.conftest import open_cabinet
from tests.e2e.axe_check import serious_violations
from tests.e2e.codes import texted_code
from tests.e2e.conftest import PHONE
from tests.e2e.taps import Taps

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def demo_site(settings, committed_demo):
    settings.BOOKING_GUEST_PHONE_CODE = True
    # These tests cancel and move the first free time, which early in the
    # morning is within the usual 2-hour cut-off (tested on its own in
    # tests/booking): here the flows, whatever the time of day.
    settings.BOOKING_CANCEL_CUTOFF_HOURS = 0
    page = next(
        p
        for p in DoctorPage.objects.select_related("doctor")
        if len(next_free_slots(doctor=p.doctor)) >= 6
    )
    return page


@pytest.fixture
def parent_on_phone(live_server, phone, demo_site):
    """The demo patient (her daughter under a verified proxy), logged in with
    both factors and the consents signed, in the phone's browser."""
    parent = User.objects.get(username="patient")
    client = Client()
    open_cabinet(client, parent)
    phone.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return parent


def test_a_parent_books_for_her_child_then_cancels(
    live_server, phone, demo_site, parent_on_phone, capsys
):
    taps = Taps(capsys)
    phone.goto(live_server.url + demo_site.url)
    slot = phone.locator(".slot__button").first
    expect(slot).to_be_visible()
    taps(slot)  # the time is held
    form = phone.locator("form:has([data-book])")
    expect(form.locator("[data-held-title]")).to_contain_text("удерживается для вас до")
    expect(form.locator("[data-held-title]")).to_contain_text("местное время филиала")
    expect(form.get_by_text("Для кого запись")).to_be_visible()
    expect(form.get_by_label("Фамилия")).to_have_count(0)  # the account knows who she is
    assert serious_violations(phone) == []
    taps(form.get_by_label("Демонстрационная Алиса Петровна"))
    taps(form.get_by_role("button", name="Записаться на это время"))
    done = phone.locator("[data-done]")
    expect(done.locator("[data-done-title]")).to_contain_text("Вы записаны")
    expect(done.locator("[data-done-person]")).to_have_text("Демонстрационная Алиса Петровна")
    assert taps.report("logged-in parent, doctor page to a confirmed booking for her child") <= 3
    assert serious_violations(phone) == []
    appointment = Appointment.objects.get()
    assert (appointment.status, appointment.patient_mis_id) == ("confirmed", "pt-demo-0002")
    assert appointment.patient == parent_on_phone

    # Cancel: from the confirmation, one question, then the SMS.
    taps(done.locator("[data-done-manage]"))
    taps(phone.get_by_role("link", name="Отменить запись"))
    question = phone.locator(".manage__question")
    expect(question).to_contain_text("Отменить запись?")
    expect(question).to_contain_text("пришлём SMS")
    assert serious_violations(phone) == []
    assert Appointment.objects.get().status == "confirmed"  # asking cancels nothing
    taps(question.get_by_role("button", name="Да, отменить запись"))
    expect(phone.locator(".messages")).to_contain_text("Запись отменена")
    assert taps.report("cancel from the confirmation, its question answered") == 3
    assert Appointment.objects.get().status == "cancelled"
    sms = SmsDelivery.objects.get(purpose="booking_cancelled")
    assert sms.phone == "+79990000001" and appointment.doctor.full_name in sms.text
    assert phone.errors == []


def test_a_logged_in_patient_books_for_herself_and_moves_it_on_the_grid(
    live_server, phone, demo_site, parent_on_phone, capsys
):
    taps = Taps(capsys)
    phone.goto(live_server.url + demo_site.url)
    taps(phone.locator(".slot__button").first)
    taps(phone.get_by_role("button", name="Записаться на это время"))  # "me" is preselected
    expect(phone.locator("[data-done-person]")).to_have_text("Демонстрационная Пациентка Тестовна")
    assert taps.report("logged-in patient, doctor page to a confirmed booking") <= 2
    booked = Appointment.objects.get()
    assert booked.patient_mis_id == "pt-demo-0001"

    phone.goto(live_server.url + "/cabinet/appointments/")
    expect(phone.locator(".whose-data")).to_contain_text("Демонстрационная Пациентка Тестовна")
    assert serious_violations(phone) == []
    taps(phone.locator(f"a[href='/cabinet/appointments/{booked.public_id}/']"))
    days = phone.locator(".slot-day")
    expect(days.first).to_be_visible()
    assert days.count() >= 2
    assert serious_violations(phone) == []
    target = days.nth(1).locator(".slot-grid__time").first
    label = target.inner_text()
    taps(target)
    expect(phone.locator(".messages")).to_contain_text("Новое время")
    assert taps.report("move on the grid from the cabinet's list") == 2
    moved = Appointment.objects.get(replaces=booked)
    assert re.search(r"\d\d:\d\d", label)
    assert moved.status in ("awaiting", "confirmed")
    assert phone.errors == []


def test_a_guests_booking_steps_and_confirmation_pass_axe(live_server, browser, demo_site):
    context = browser.new_context(**{**PHONE, "timezone_id": "UTC"})
    phone = context.new_page()
    phone.errors = []
    phone.on("pageerror", lambda e: phone.errors.append(str(e)))
    phone.goto(live_server.url + demo_site.url)
    assert serious_violations(phone) == []
    phone.locator(".slot__button").first.tap()
    form = phone.locator("form:has([data-book])")
    expect(form).to_be_visible()
    # The deadline on the branch's clock, not the browser's (this one keeps UTC).
    held = Appointment.objects.get()
    zone = ZoneInfo(held.branch.time_zone)
    title = form.locator("[data-held-title]")
    expect(title).to_contain_text(f"до {held.hold_expires_at.astimezone(zone):%H:%M}")
    expect(form.locator("[data-held-where]")).to_have_text(
        f"{held.branch.name}, {held.branch.address}"
    )
    assert (
        phone.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") != held.branch.time_zone
    )
    assert serious_violations(phone) == []
    form.get_by_label("Фамилия").fill("Тестова")
    form.get_by_label("Имя").fill("Анна")
    form.get_by_label("Мобильный телефон").fill("+7 999 000-00-42")
    form.get_by_label("обработку моих").check()
    form.get_by_role("button", name="Получить код по SMS").tap()
    expect(form.get_by_label("Код из SMS")).to_be_visible()
    assert serious_violations(phone) == []
    form.get_by_label("Код из SMS").fill(texted_code("+79990000042"))  # the sixth digit books
    expect(phone.locator("[data-done]")).to_be_visible()
    assert serious_violations(phone) == []
    assert phone.errors == []
