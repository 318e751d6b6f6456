"""The SMS deliveries table: one row per message, from the request to the delivery report."""

import uuid

from django.db import models
from django.db.models import Q

from clinic_site.blind_index import BlindIndexField
from clinic_site.crypto import EncryptedTextField


class SmsDelivery(models.Model):
    """One SMS the platform sends, from the request to the delivery report.

    client_id is our own id of the message (callers and retries refer to it);
    the gateway has no idempotency key, so this row's status is what keeps a
    message from going out twice.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        SENDING = "sending", "sending"  # a worker is talking to the gateway
        SENT = "sent", "sent"  # the gateway took it
        DELIVERED = "delivered", "delivered"
        FAILED = "failed", "failed"

    client_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # E.164, encrypted; `phone="+7..."` matches through the keyed hash.
    phone = EncryptedTextField()
    phone_index = BlindIndexField(source="phone", purpose="phone")
    text = EncryptedTextField()  # a reminder names the doctor, a code is a secret
    purpose = models.CharField(max_length=40)  # e.g. "login_code", "reminder"
    gateway = models.CharField(max_length=20)
    gateway_message_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sending_since = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # When the message reached a final status (delivered or failed).
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "integrations_smsdelivery"  # the table it had in the integrations app
        verbose_name = "SMS delivery"
        verbose_name_plural = "SMS deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["gateway", "gateway_message_id"],
                condition=~Q(gateway_message_id=""),
                name="sms_delivery_unique_gateway_message",
            )
        ]
        indexes = [models.Index(fields=["status", "updated_at"], name="sms_delivery_status")]

    def __str__(self) -> str:
        return f"SMS {self.client_id} to {self.phone}: {self.status}"
