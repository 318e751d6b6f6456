"""Tables of the integration layer: the outbox of writes to external systems,
and SMS deliveries."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """A write to an external system, recorded in the same transaction as the
    local change it belongs to and delivered by a worker, with retries."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")

    topic = models.CharField(max_length=64)  # e.g. "mis.book"
    # Sent to the external system as its idempotency key: a retry never duplicates.
    key = models.CharField(max_length=128, unique=True)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.topic} {self.key} ({self.status})"


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
    phone = models.CharField(max_length=16)  # E.164
    text = models.TextField()
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


# The LIS tables live with the LIS code; importing them registers them with this app.
from integrations.lis.models import InboundLabEvent, LabPollCursor  # noqa: E402

__all__ = ["InboundLabEvent", "LabPollCursor", "OutboxMessage", "SmsDelivery"]
