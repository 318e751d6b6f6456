"""The cabinet on a 390 px phone: the login's fields are at least 44 px tall
and full width with their labels above; axe (WCAG 2.1 A/AA) finds nothing
serious or critical on the patient login, the staff login and the cabinet's
home; the family switch marks the active person and its status region names
the new one after a tap, without a page load."""

import re
from datetime import date

from django.test import Client

import pytest
from playwright.sync_api import expect

from tests.cabinet.conftest import make_patient, open_cabinet
from tests.e2e.axe_check import serious_violations

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def assert_fields_fit_a_phone(page, names: list[str]) -> None:
    viewport = page.viewport_size["width"]
    for name in names:
        field = page.locator(f"main input[name='{name}']")
        box = field.bounding_box()
        assert box["height"] >= 44, f"{name}: {box['height']} px tall"
        assert box["width"] >= viewport * 0.85, f"{name}: {box['width']} px wide"
        label = page.locator(f"main label[for='{field.get_attribute('id')}']").bounding_box()
        assert label["y"] + label["height"] <= box["y"], f"{name}: its label is not above it"


def test_login_pages_fit_a_phone_and_pass_axe(live_server, phone):
    make_patient()
    phone.goto(live_server.url + "/cabinet/login/")
    assert_fields_fit_a_phone(phone, ["auth-username", "auth-password"])
    assert phone.locator("main button[type='submit']").first.bounding_box()["height"] >= 44
    assert serious_violations(phone) == []

    # The code step: «Код из SMS», as tall (the SMS itself waits in the queue).
    phone.locator("input[name='auth-username']").fill("+7 999 000-00-01")
    phone.locator("input[name='auth-password']").fill("Sekret-pass-2026")
    phone.locator("main button[type='submit']").first.tap()
    expect(phone.locator("label[for='id_token-otp_token']")).to_have_text("Код из SMS")
    assert_fields_fit_a_phone(phone, ["token-otp_token"])
    assert serious_violations(phone) == []

    phone.goto(live_server.url + "/admin/login/")
    expect(phone.locator("h1")).to_have_text("Вход для сотрудников клиники")
    expect(phone.get_by_text("Зарегистрироваться")).to_have_count(0)
    assert_fields_fit_a_phone(phone, ["auth-username", "auth-password"])
    assert serious_violations(phone) == []
    assert phone.errors == []


def test_cabinet_home_passes_axe_and_the_family_switch_announces_the_person(live_server, phone):
    from cabinet.accounts.models import Patient, User
    from cabinet.demo import ensure_consent_documents
    from cabinet.proxies.models import ProxyAccess

    parent = make_patient()
    ensure_consent_documents()
    child = Patient.objects.create(
        mis_id="pt-demo-0002",
        last_name="Демонстрационная",
        first_name="Алиса",
        birth_date=date(2016, 6, 1),
    )
    registrar = User.objects.create_user("registrar-e2e", password="x-secret-2026", is_staff=True)
    ProxyAccess.objects.create(
        parent=parent, child=child, document_note="синтетика", verified_by=registrar
    )
    client = Client()
    open_cabinet(client, parent)  # both factors and the consents, as a real login leaves them
    phone.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )

    phone.goto(live_server.url + "/cabinet/")
    me = phone.locator(".family-switch__button", has_text="Я")
    alice = phone.locator(".family-switch__button", has_text="Алиса")
    status = phone.locator(".family-switch [role='status']")
    expect(me).to_have_attribute("aria-pressed", "true")
    expect(alice).to_have_attribute("aria-pressed", "false")
    expect(phone.locator(".whose-data")).to_have_text("Данные пациента: Демонстрационная Пациентка")
    assert serious_violations(phone) == []

    alice.tap()
    expect(status).to_have_text("Сейчас показаны данные: Демонстрационная Алиса")
    expect(alice).to_have_attribute("aria-pressed", "true")
    expect(alice).to_contain_text("✓")
    expect(me).to_have_attribute("aria-pressed", "false")
    expect(phone.locator(".whose-data")).to_contain_text(
        "Вы действуете за ребёнка: Демонстрационная Алиса"
    )
    assert re.search(r"/cabinet/$", phone.url)
    assert serious_violations(phone) == []
    assert phone.errors == []
