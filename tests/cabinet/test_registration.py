"""Registration by phone: a strong MIS match links the account; anything else
goes to the registrar's queue and links nothing."""

import re
from datetime import date

from django.test import Client

import pytest

from cabinet.accounts.models import LinkRequest, Patient, User
from cabinet.accounts.services import approve_link_request
from integrations.sms.models import SmsDelivery
from tests.cabinet.conftest import last_code, shows, verified_staff_login

pytestmark = pytest.mark.django_db

URL = "/cabinet/register/"


def register(client, *, phone, last_name, first_name, birth_date, password="Kvartira-2026!"):  # noqa: S107
    assert client.post(URL, {"phone": phone}).status_code == 302
    normalized = SmsDelivery.objects.filter(purpose="register_code").last().phone
    client.post(URL, {"code": last_code(normalized, "register_code")})
    return client.post(
        URL,
        {
            "last_name": last_name,
            "first_name": first_name,
            "birth_date": birth_date,
            "password1": password,
            "password2": password,
        },
    )


def test_a_strong_match_links_the_account_and_gives_it_an_sms_device(client):
    response = register(
        client,
        phone="8 (999) 000-00-01",
        last_name="демонстрационная",
        first_name="Пациентка",
        birth_date="12.04.1985",
    )
    assert response.status_code == 302 and response["Location"] == "/cabinet/"
    user = User.objects.get(phone="+79990000001")
    assert user.check_password("Kvartira-2026!")
    assert Patient.objects.get(account=user).mis_id == "pt-demo-0001"
    assert str(user.phonedevice_set.get(name="default").number) == "+79990000001"
    assert not LinkRequest.objects.exists()


def test_the_brothers_sharing_a_phone_go_to_the_registrar_unlinked(client, admin_user):
    response = register(
        client,
        phone="+79990000003",
        last_name="Образцов",
        first_name="Иван",
        birth_date="1990-01-15",
    )
    assert response.status_code == 302
    user = User.objects.get(phone="+79990000003")
    assert not Patient.objects.filter(account=user).exists()
    link = LinkRequest.objects.get(user=user)
    assert link.reason == LinkRequest.Reason.AMBIGUOUS
    assert set(link.candidates) == {"pt-demo-0003", "pt-demo-0004"}
    waiting = (
        "A registrar is checking your account against the clinic's records. "
        "We will text you when your data opens."
    )
    assert shows(client.get("/cabinet/").content.decode(), waiting)

    # The registrar checks the passport and picks Ivan.
    patient = approve_link_request(link, by=admin_user, mis_id="pt-demo-0003")
    assert patient.account == user and patient.first_name == "Иван"
    link.refresh_from_db()
    assert link.status == LinkRequest.Status.APPROVED and link.decided_by == admin_user


def test_a_wrong_first_name_is_a_weak_match_and_is_not_linked(client):
    register(
        client,
        phone="+79990000001",
        last_name="Демонстрационная",
        first_name="Ольга",
        birth_date="1985-04-12",
    )
    user = User.objects.get(phone="+79990000001")
    assert not Patient.objects.filter(account=user).exists()
    assert LinkRequest.objects.get(user=user).reason == LinkRequest.Reason.WEAK


def test_nobody_found_is_queued_too(client):
    register(
        client, phone="+79995550000", last_name="Нетова", first_name="Нина", birth_date="2000-01-01"
    )
    assert LinkRequest.objects.get().reason == LinkRequest.Reason.NOT_FOUND
    assert not Patient.objects.exists()


def test_the_registrar_queue_approves_from_the_django_admin(client, admin_user):
    register(
        client,
        phone="+79990000003",
        last_name="Образцов",
        first_name="Павел",
        birth_date="1993-09-02",
    )
    link = LinkRequest.objects.get()
    link.mis_id = "pt-demo-0004"
    link.save()
    registrar = Client()
    verified_staff_login(registrar, admin_user)
    response = registrar.post(
        "/django-admin/cabinet/linkrequest/",
        {"action": "approve", "_selected_action": [link.pk]},
    )
    assert response.status_code in (200, 302)
    assert Patient.objects.get(mis_id="pt-demo-0004").account == link.user


def test_bad_input_gets_clear_russian_errors(client):
    page = client.post(URL, {"phone": "12345"}).content.decode()
    assert shows(page, "Enter a mobile number with the country code, e.g. +7 999 123-45-67.")
    client.post(URL, {"phone": "+79995550001"})
    page = client.post(URL, {"code": "000000"}).content.decode()
    if last_code("+79995550001", "register_code") == "000000":
        pytest.skip("the random code happened to be 000000")
    assert shows(page, "The code is wrong. Check the SMS or ask for a new code.")
    # The number stays; the next step is still the code.
    assert "+79995550001" in page


def _answer(client, phone: str) -> tuple[int, str, str]:
    """What a stranger sees after giving a number: the status, where it goes,
    and the next page (the CSRF token taken out)."""
    response = client.post(URL, {"phone": phone})
    page = client.get(URL).content.decode()
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page).replace(phone, "N")
    return response.status_code, response.get("Location", ""), page


def test_registration_does_not_tell_a_stranger_which_numbers_have_accounts(patient_user):
    known = _answer(Client(), "+79990000001")  # patient_user's number
    unknown = _answer(Client(), "+79995550009")
    assert known == unknown
    assert known[0] == 302
    # The number's owner learns of the attempt; no code reaches anyone for it.
    notice = SmsDelivery.objects.get(phone="+79990000001")
    assert notice.purpose == "register_known"
    assert not re.search(r"\d{6}", notice.text)
    assert SmsDelivery.objects.get(phone="+79995550009").purpose == "register_code"


def test_a_registered_number_cannot_register_again(client, patient_user):
    client.post(URL, {"phone": "+79990000001"})
    page = client.post(URL, {"code": "123456"}).content.decode()
    assert shows(page, "The code is wrong. Check the SMS or ask for a new code.")
    assert not SmsDelivery.objects.filter(purpose="register_code").exists()


def test_birth_date_in_the_future_is_refused(client):
    client.post(URL, {"phone": "+79995550002"})
    client.post(URL, {"code": last_code("+79995550002", "register_code")})
    future = date.today().replace(year=date.today().year + 1).isoformat()
    page = client.post(
        URL,
        {
            "last_name": "А",
            "first_name": "Б",
            "birth_date": future,
            "password1": "Kvartira-2026!",
            "password2": "Kvartira-2026!",
        },
    ).content.decode()
    assert not User.objects.filter(phone="+79995550002").exists()
    assert shows(page, "Check the birth date.")


def test_an_mis_outage_loses_nothing(client, settings):
    settings.MIS_DEMO_OUTAGE = True
    page = register(
        client,
        phone="+79990000001",
        last_name="Демонстрационная",
        first_name="Пациентка",
        birth_date="1985-04-12",
    ).content.decode()
    assert not User.objects.exists()
    assert shows(
        page,
        "The clinic's records cannot be reached right now. Nothing is lost: "
        "press the button again in a few minutes.",
    )
    settings.MIS_DEMO_OUTAGE = False
    response = client.post(
        URL,
        {
            "last_name": "Демонстрационная",
            "first_name": "Пациентка",
            "birth_date": "1985-04-12",
            "password1": "Kvartira-2026!",
            "password2": "Kvartira-2026!",
        },
    )
    assert response.status_code == 302
    assert Patient.objects.get(account__phone="+79990000001").mis_id == "pt-demo-0001"
