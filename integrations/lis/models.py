"""Tables of the LIS inbound path: every event a lab sent us, and each polled lab's cursor."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from clinic_site.crypto import EncryptedTextField


class InboundLabEvent(models.Model):
    """One delivery of lab results: a webhook call or a report found by polling.

    (lab, event_id) is unique, so a redelivered or racing duplicate is refused
    by the database itself. The body is medical data: kept encrypted, so a
    failed event can be looked at and processed again.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        PROCESSED = "processed", _("processed")
        FAILED = "failed", _("failed")

    class Channel(models.TextChoices):
        WEBHOOK = "webhook", _("webhook")
        POLL = "poll", _("polling")

    lab = models.CharField(_("lab"), max_length=40)
    event_id = models.CharField(_("event id"), max_length=128)
    channel = models.CharField(
        _("channel"), max_length=8, choices=Channel.choices, default=Channel.WEBHOOK
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)
    body = EncryptedTextField(_("body"))
    # Plain columns the admin can filter on; not medical data by themselves.
    report_external_id = models.CharField(_("report id"), max_length=64, blank=True)
    patient_mis_id = models.CharField(_("patient MIS id"), max_length=64, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        db_table = "integrations_inboundlabevent"  # the table it had in the integrations app
        verbose_name = _("inbound lab event")
        verbose_name_plural = _("inbound lab events")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["lab", "event_id"], name="inbound_lab_event_once")
        ]
        indexes = [models.Index(fields=["status", "received_at"], name="inbound_lab_event_status")]

    def __str__(self) -> str:
        return f"{self.lab} {self.event_id} ({self.status})"


class LabPollCursor(models.Model):
    """Where polling a lab without webhooks stands: the next poll asks from `since`."""

    lab = models.CharField(_("lab"), max_length=40, unique=True)
    since = models.DateTimeField(_("reports since"))
    last_success_at = models.DateTimeField(_("last successful poll"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        db_table = "integrations_labpollcursor"  # the table it had in the integrations app
        verbose_name = _("lab poll cursor")
        verbose_name_plural = _("lab poll cursors")

    def __str__(self) -> str:
        return f"{self.lab} since {self.since:%Y-%m-%d %H:%M}"
