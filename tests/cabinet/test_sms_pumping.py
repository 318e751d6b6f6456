"""SMS pumping: the codes anyone can ask for (registration, a guest's
booking, a password reset) go only to the clinic's countries and are capped
per client and per hour, with a clear message; nothing is texted past a cap.

Before: 12 anonymous sessions got 12 codes texted to +882, +881, +234, +1 ...
"""

from django.test import Client

import pytest

from integrations.sms.models import SmsDelivery
from tests.cabinet.conftest import ru, shows

pytestmark = pytest.mark.django_db

URL = "/cabinet/register/"
ABROAD = ["+88212345678", "+88112345678", "+2348012345678", "+12025550123"]


def ask_code(phone: str, *, address: str = "198.51.100.7") -> str:
    """A new anonymous session asks for a registration code; the page it ends on."""
    client = Client(REMOTE_ADDR=address)
    return client.post(URL, {"phone": phone}, follow=True).content.decode()


@pytest.mark.parametrize("phone", ABROAD)
def test_numbers_abroad_get_no_code_and_a_clear_message(phone):
    page = ask_code(phone)
    message = ru(
        "We can send codes only to mobile numbers of %(countries)s. "
        "To use another number, please call the clinic."
    ) % {"countries": ru("Russia")}
    assert message in page
    assert not SmsDelivery.objects.exists()


def test_the_allowed_countries_are_a_setting(settings):
    settings.SMS_ALLOWED_COUNTRIES = ["RU", "KZ"]
    ask_code("+77012345678")  # Kazakhstan
    ask_code("+375291234567")  # Belarus: not allowed
    assert list(SmsDelivery.objects.values_list("purpose", flat=True)) == ["register_code"]


def test_one_client_gets_so_many_codes_an_hour(settings):
    settings.SMS_CODES_PER_CLIENT_PER_HOUR = 3
    for n in range(3):
        ask_code(f"+7999555000{n}")
    page = ask_code("+79995550009")
    assert shows(
        page,
        "Too many codes were asked for from your network in the last hour. "
        "Please try again later or call the clinic.",
    )
    assert SmsDelivery.objects.count() == 3
    ask_code("+79995550008", address="198.51.100.8")  # another client still can
    assert SmsDelivery.objects.count() == 4


def test_the_whole_site_sends_so_many_codes_an_hour(settings):
    settings.SMS_CODES_PER_HOUR = 2
    ask_code("+79995550001", address="198.51.100.1")
    ask_code("+79995550002", address="198.51.100.2")
    page = ask_code("+79995550003", address="198.51.100.3")
    assert shows(
        page,
        "The clinic cannot send more codes right now. "
        "Please try again in an hour or call the clinic.",
    )
    assert SmsDelivery.objects.count() == 2


def test_an_account_whose_number_is_abroad_still_gets_its_login_code(client):
    from tests.cabinet.conftest import make_patient

    make_patient(username="+77012345678", phone="+77012345678", mis_id="pt-abroad")
    client.post(
        "/cabinet/login/",
        {
            "login_view-current_step": "auth",
            "auth-username": "+77012345678",
            "auth-password": "Sekret-pass-2026",
        },
    )
    assert SmsDelivery.objects.filter(phone="+77012345678", purpose="login_code").exists()
