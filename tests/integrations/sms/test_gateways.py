"""The sms.ru and smsc.ru adapters against their simulators, over real HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from integrations.ports import (
    SmsDuplicate,
    SmsError,
    SmsGateway,
    SmsMessage,
    SmsUnavailable,
)
from integrations.simulators import registry
from integrations.sms import get_sms_gateway
from integrations.sms.phones import InvalidPhone, validate_e164
from integrations.sms.smsc import Smsc
from integrations.sms.smsru import SmsRu
from tests.integrations.sms.conftest import PHONE
from tests.polling import wait_for

ROOT = Path(__file__).resolve().parents[3]
# A refusal of each gateway that is not about transport: no funds.
NO_FUNDS = {"smsru": 201, "smsc": 3}
BAD_NUMBER = {"smsru": 202, "smsc": 7}


def message(text: str = "Код входа: 4821", to: str = PHONE, client_id: str = "c-1") -> SmsMessage:
    return SmsMessage(to=to, text=text, client_id=client_id)


@pytest.fixture
def gateway(sms_settings) -> SmsGateway:
    return get_sms_gateway()


def test_factory_picks_the_gateway_named_by_settings(sms_settings, gateway_name):
    gateway = get_sms_gateway()
    assert isinstance(gateway, SmsGateway)
    assert gateway.name == gateway_name
    assert isinstance(gateway, SmsRu if gateway_name == "smsru" else Smsc)
    with pytest.raises(ValueError, match="Unknown SMS gateway 'twilio'"):
        get_sms_gateway("twilio")


def test_send_reaches_the_simulator(gateway, simulator):
    receipt = gateway.send(message())
    assert receipt.gateway == gateway.name
    assert receipt.client_id == "c-1"
    assert receipt.message_id
    seen = httpx.get(f"{simulator.url}/_sim/messages", timeout=5).json()
    assert [(m["id"], m["phone"], m["text"]) for m in seen] == [
        (receipt.message_id, "79001234567", "Код входа: 4821")
    ]


def test_status_goes_from_queued_to_delivered(gateway, simulator):
    receipt = gateway.send(message())
    assert gateway.status(receipt.message_id).status == "queued"
    wait_for(lambda: gateway.status(receipt.message_id).status == "delivered", what="delivery")


def test_status_of_an_undelivered_message(gateway, simulator):
    simulator.set_knobs(delivery="failed")
    receipt = gateway.send(message())
    wait_for(lambda: gateway.status(receipt.message_id).status == "failed", what="failure")


def test_status_of_an_unknown_message_is_an_error(gateway, gateway_name):
    unknown = "000000-99999999" if gateway_name == "smsru" else "12345:79001234567"
    with pytest.raises(SmsError) as raised:
        gateway.status(unknown)
    assert not isinstance(raised.value, SmsUnavailable)


def test_refusal_is_an_sms_error_with_the_gateways_code(gateway, simulator, gateway_name):
    simulator.set_knobs(error_code=NO_FUNDS[gateway_name])
    with pytest.raises(SmsError) as raised:
        gateway.send(message())
    assert not isinstance(raised.value, SmsUnavailable)
    assert raised.value.code == str(NO_FUNDS[gateway_name])
    assert simulator.messages == []


def test_a_number_the_gateway_rejects(gateway, gateway_name):
    with pytest.raises(SmsError) as raised:
        gateway.send(message(to="+0123"))
    assert raised.value.code == str(BAD_NUMBER[gateway_name])


def test_wrong_credentials_are_refused(sms_settings, gateway_name):
    sms_settings.SMS_API_KEY = "not-the-key"
    with pytest.raises(SmsError) as raised:
        get_sms_gateway().send(message())
    assert not isinstance(raised.value, SmsUnavailable)
    assert raised.value.code == {"smsru": "301", "smsc": "2"}[gateway_name]


def test_error_rate_is_repeatable_for_a_seed(gateway, simulator, gateway_name):
    def outcomes() -> list[bool]:
        simulator.reset()
        simulator.set_knobs(error_code=NO_FUNDS[gateway_name], error_rate=0.5, seed=7)
        results = []
        for n in range(8):
            try:
                gateway.send(message(text=f"text {n}"))
                results.append(True)
            except SmsError:
                results.append(False)
        return results

    first = outcomes()
    assert first == outcomes()
    assert True in first
    assert False in first


def test_the_same_text_to_the_same_number_within_a_minute(gateway):
    gateway.send(message(client_id="c-1"))
    with pytest.raises(SmsDuplicate):
        gateway.send(message(client_id="c-2"))


def test_503_outage_is_unavailable(gateway, simulator):
    simulator.set_knobs(outage="503")
    with pytest.raises(SmsUnavailable) as raised:
        gateway.send(message())
    assert raised.value.code == "503"
    simulator.set_knobs(outage="")
    assert gateway.send(message()).message_id


def test_refused_connection_is_unavailable(gateway, simulator):
    simulator.set_knobs(outage="refused")
    with pytest.raises(SmsUnavailable):
        gateway.send(message())
    simulator.set_knobs(outage="")
    assert gateway.send(message()).message_id


def test_a_slow_gateway_times_out_as_unavailable(sms_settings, simulator):
    sms_settings.SMS_TIMEOUT = 0.2
    simulator.set_knobs(latency=0.6)
    with pytest.raises(SmsUnavailable, match="no answer within"):
        get_sms_gateway().send(message())


def test_parses_the_callback_the_simulator_sends(gateway, simulator):
    receipt = gateway.send(message())
    wait_for(lambda: simulator.messages[0].status == "delivered", what="delivery")
    payload = simulator.callback_payload(simulator.messages[0])
    [report] = gateway.parse_status_callback(payload)
    assert (report.gateway, report.message_id, report.status) == (
        gateway.name,
        receipt.message_id,
        "delivered",
    )


def test_smsru_callback_with_several_entries_and_other_events(settings):
    gateway = get_sms_gateway("smsru")
    reports = gateway.parse_status_callback(
        {
            "data[1]": "sms_status\n000000-2\n107\n1767200000",
            "data[0]": "sms_status\n000000-1\n103\n1767200000",
            "data[2]": "callcheck_status\n123\n401",
        }
    )
    assert [(r.message_id, r.status) for r in reports] == [
        ("000000-1", "delivered"),
        ("000000-2", "failed"),
    ]
    with pytest.raises(ValueError):
        gateway.parse_status_callback({"data[0]": "sms_status\n000000-1"})
    with pytest.raises(ValueError):
        gateway.parse_status_callback({"something": "else"})


def test_smsc_callback_fields(settings):
    gateway = get_sms_gateway("smsc")
    [report] = gateway.parse_status_callback(
        {"id": "77", "phone": "+79001234567", "status": "20", "err": "1"}
    )
    assert (report.message_id, report.status) == ("77:79001234567", "failed")
    with pytest.raises(ValueError):
        gateway.parse_status_callback({"id": "77", "status": "1"})


@pytest.mark.parametrize("phone", ["+79001234567", " +442071838750 "])
def test_e164_numbers_pass(phone):
    assert validate_e164(phone) == phone.strip()


@pytest.mark.parametrize("phone", ["89001234567", "+7 900 123-45-67", "+0123456789", "+7", ""])
def test_other_numbers_get_a_clear_error(phone):
    with pytest.raises(InvalidPhone, match="E.164"):
        validate_e164(phone)


def test_simulate_command_serves_a_registered_simulator(closed_port):
    assert {"smsru", "smsc"} <= set(registry())
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "simulate",
            "smsc",
            "--port",
            str(closed_port),
            "--latency",
            "0",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:

        def knobs():
            try:
                return httpx.get(f"http://127.0.0.1:{closed_port}/_sim/knobs", timeout=1).json()
            except httpx.HTTPError:
                return None

        assert wait_for(knobs, 20, "the simulator")["outage"] == ""
        gateway = Smsc(base_url=f"http://127.0.0.1:{closed_port}", api_key="simulator-key")
        assert gateway.send(message()).message_id.endswith(":79001234567")
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode in (0, -15)
