"""Django app config of SMS sending: the deliveries table, its tasks and gateway callbacks."""

from django.apps import AppConfig


class SmsConfig(AppConfig):
    name = "integrations.sms"
    label = "sms"
    verbose_name = "SMS"
