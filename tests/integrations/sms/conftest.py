"""Fixtures of the SMS tests: each gateway's simulator on a free port, settings aimed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from integrations.simulators.smsc import SmscSimulator
from integrations.simulators.smsru import SmsRuSimulator

SIMULATORS = {"smsru": SmsRuSimulator, "smsc": SmscSimulator}
PHONE = "+79001234567"


@pytest.fixture(params=["smsru", "smsc"])
def gateway_name(request) -> str:
    return request.param


@pytest.fixture
def simulator(gateway_name: str) -> Iterator[SmsRuSimulator | SmscSimulator]:
    """The gateway's simulator on a free loopback port, reports after 0.2 s."""
    with SIMULATORS[gateway_name](callback_delay=0.2) as sim:
        yield sim


@pytest.fixture
def sms_settings(settings, simulator, gateway_name):
    """Settings of the platform pointing at the simulator (short timeout)."""
    settings.SMS_GATEWAY = gateway_name
    settings.SMS_API_URL = simulator.url
    settings.SMS_API_KEY = "simulator-key"
    settings.SMS_LOGIN = ""
    settings.SMS_TIMEOUT = 2.0
    settings.SMS_CALLBACK_SECRET = "callback-key"
    return settings
