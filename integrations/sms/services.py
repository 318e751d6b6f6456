"""Sending SMS: the row, recorded in the caller's transaction, and its task after the commit."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from integrations.sms.models import SmsDelivery
from integrations.sms.phones import validate_e164
from integrations.sms.tasks import send_sms_delivery

PURPOSE_LENGTH = SmsDelivery._meta.get_field("purpose").max_length


def send_sms(*, to: str, text: str, purpose: str) -> SmsDelivery:
    """Record an SMS and send it from a worker once the caller's transaction commits.

    Raises InvalidPhone (a ValueError) for a number not in E.164 form and
    ValueError for an empty text. The caller owns the wording.
    """
    phone = validate_e164(to)
    if not text.strip():
        raise ValueError("An SMS needs a text.")
    if not 0 < len(purpose) <= PURPOSE_LENGTH:
        raise ValueError(f"The purpose is a short name of 1 to {PURPOSE_LENGTH} characters.")
    delivery = SmsDelivery.objects.create(
        phone=phone, text=text, purpose=purpose, gateway=settings.SMS_GATEWAY
    )
    # robust: a broker that is down must not undo or break the caller's work;
    # the row stays queued and `resend_stale_sms` picks it up.
    transaction.on_commit(lambda: send_sms_delivery.delay(delivery.pk), robust=True)
    return delivery
