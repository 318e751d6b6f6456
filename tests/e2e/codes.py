"""The SMS codes the site texted, read from the delivery rows the gateway gets."""

import re
import time

from integrations.sms.models import SmsDelivery


def texted_code(phone: str, purpose: str = "booking_code") -> str:
    for _ in range(50):
        sms = SmsDelivery.objects.filter(purpose=purpose, phone=phone).last()
        if sms:
            return re.search(r"\b(\d{6})\b", sms.text).group(1)
        time.sleep(0.1)
    raise AssertionError("no code was texted")
