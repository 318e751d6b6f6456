"""SMS gateways, one module per gateway, and the factory that picks one."""

from django.conf import settings

from integrations.ports import SmsGateway

GATEWAYS = ("smsru", "smsc")


def get_sms_gateway(name: str | None = None) -> SmsGateway:
    """The gateway named by settings.SMS_GATEWAY (or `name`, for callbacks of
    messages sent before the setting changed)."""
    name = name or settings.SMS_GATEWAY
    if name == "smsru":
        from integrations.sms.smsru import SmsRu

        return SmsRu(
            base_url=settings.SMS_API_URL,
            api_id=settings.SMS_API_KEY,
            sender=settings.SMS_SENDER,
            timeout=settings.SMS_TIMEOUT,
        )
    if name == "smsc":
        from integrations.sms.smsc import Smsc

        return Smsc(
            base_url=settings.SMS_API_URL,
            login=settings.SMS_LOGIN,
            password=settings.SMS_PASSWORD,
            api_key=settings.SMS_API_KEY,
            sender=settings.SMS_SENDER,
            timeout=settings.SMS_TIMEOUT,
        )
    raise ValueError(f"Unknown SMS gateway {name!r}; known: {', '.join(GATEWAYS)}.")
