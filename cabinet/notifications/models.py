"""What the cabinet tells a patient, and through which channels."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clinic_site.crypto import EncryptedTextField


class NotificationKind(models.TextChoices):
    REMINDER = "reminder", _("appointment reminders")
    RESULTS_READY = "results_ready", _("results are ready")
    FOLLOW_UP_DUE = "follow_up_due", _("follow-up visit due")
    OTHER = "other", _("other messages")


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NotificationKind.choices)
    text = EncryptedTextField(_("text"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:60]


class NotificationPreference(models.Model):
    """Channels one user wants for one kind; no row means the defaults
    (SMS on, email on when the account has an address)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NotificationKind.choices)
    sms = models.BooleanField(_("SMS"), default=True)
    email = models.BooleanField(_("email"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_user_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.kind}"
