"""A patient on a phone logs into the cabinet with password + the SMS code the
gateway's simulator received (sent by a real Celery worker), signs the
consent with a second code, lands in the cabinet, opens a lab result and
sees its trend chart. CSP is on throughout."""

import re

import httpx
import pytest
from playwright.sync_api import expect

from integrations.simulators.smsru import SmsRuSimulator
from tests.cabinet.conftest import make_patient
from tests.polling import wait_for

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = "+79990000001"


def code_from_simulator(url: str, seen: int) -> tuple[str, int]:
    """The newest code the simulator got for PHONE after `seen` messages (over
    its HTTP API; sms.ru numbers carry no "+")."""

    def new_messages():
        got = httpx.get(f"{url}/_sim/messages", timeout=5).json()
        messages = [m for m in got if m["phone"].lstrip("+") == PHONE.lstrip("+")]
        return messages if len(messages) > seen else None

    # A worker on a busy machine may take a while.
    messages = wait_for(new_messages, seconds=60, what="a new code at the simulator", every=0.1)
    return re.search(r"\b(\d{6})\b", messages[-1]["text"]).group(1), len(messages)


@pytest.fixture
def sms_simulator(settings, celery_worker):
    with SmsRuSimulator() as simulator:
        settings.SMS_GATEWAY = "smsru"
        settings.SMS_API_URL = simulator.url
        settings.SMS_API_KEY = "simulator-key"
        log = celery_worker(
            "sms",
            env={
                "SMS_GATEWAY": "smsru",
                "SMS_API_URL": simulator.url,
                "SMS_API_KEY": "simulator-key",
            },
        )
        wait_for(lambda: " ready." in log.read_text(), seconds=90, what="the worker", log=log)
        yield simulator


def test_log_in_with_the_sms_code_sign_the_consent_land_in_the_cabinet(
    live_server, phone, sms_simulator
):
    from cabinet.accounts.models import Patient
    from cabinet.demo import ensure_consent_documents
    from tests.cabinet.conftest import import_history

    make_patient()
    ensure_consent_documents()
    import_history(Patient.objects.get(mis_id="pt-demo-0001"))  # her history, loaded

    phone.goto(live_server.url + "/cabinet/")
    expect(phone).to_have_url(re.compile(r"/cabinet/login/"))
    # (Selectors by name: the labels' Russian arrives with the catalogue merge.)
    phone.locator("input[name='auth-username']").fill("+7 999 000-00-01")
    phone.locator("input[name='auth-password']").fill("Sekret-pass-2026")
    phone.locator("main button[type='submit']").first.tap()

    code, seen = code_from_simulator(sms_simulator.url, 0)
    phone.locator("input[name='token-otp_token']").fill(code)
    phone.locator("main button[type='submit']").first.tap()

    # Logged in: the medical part waits for the consent.
    expect(phone).to_have_url(re.compile(r"/cabinet/consent/"))
    expect(phone.locator(".consent__text").first).to_be_visible()
    phone.locator("input[name='agree']").check()
    phone.locator("button[value='send']").tap()
    expect(phone.locator("input[name='code']")).to_be_visible()
    code, _ = code_from_simulator(sms_simulator.url, seen)
    phone.locator("input[name='code']").fill(code)
    phone.locator("button[value='sign']").tap()

    expect(phone).to_have_url(re.compile(r"/cabinet/$"))
    expect(phone.locator(".cabinet__acting")).to_contain_text("Демонстрационная")

    # Open a result and its trend chart.
    phone.locator("a.records-tile").first.tap()
    phone.locator("a.card__title", has_text="Гормоны щитовидной железы").first.tap()
    phone.locator("a.analyte__name", has_text="ТТГ").tap()
    expect(phone.locator("#analyte-chart")).to_be_visible()
    phone.wait_for_function("() => window.Chart && Chart.getChart('analyte-chart')")
    points = phone.evaluate("() => Chart.getChart('analyte-chart').data.datasets[0].data")
    assert points == [7.8, 4.6, 2.1]
    assert phone.errors == []  # no CSP violation, no script error
