"""The SMS codes the site texted, read from the delivery rows the gateway gets."""

import re

from integrations.sms.models import SmsDelivery
from tests.polling import wait_for


def texted_code(phone: str, purpose: str = "booking_code") -> str:
    sms = wait_for(
        lambda: SmsDelivery.objects.filter(purpose=purpose, phone=phone).last(),
        seconds=5,
        what=f"a {purpose} texted to {phone}",
    )
    return re.search(r"\b(\d{6})\b", sms.text).group(1)
