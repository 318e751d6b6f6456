"""The audit log of medical data: append-only, hash-chained records, and the
alerts raised when access looks wrong."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditRecord(models.Model):
    """One read or change of a patient's medical data, or one failed login.

    Rows are never updated or deleted (a PostgreSQL trigger refuses both), so
    the foreign keys neither cascade nor constrain: a deleted user leaves its
    id here. `hash` covers every field and `previous_hash`, chaining each
    record to the one before it.
    """

    class Action(models.TextChoices):
        READ = "read", _("viewed")
        CREATE = "create", _("created")
        UPDATE = "update", _("changed")
        DELETE = "delete", _("deleted")
        EXPORT = "export", _("downloaded")
        LOGIN_FAILED = "login_failed", _("failed login")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for the system (an import from the MIS)."),
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proxy"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The parent or guardian acting for a child, when access came through a proxy."),
    )
    patient = models.ForeignKey(
        "cabinet.Patient",
        verbose_name=_("patient"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for a failed login (it concerns an account, not a patient)."),
    )
    actor_name = models.CharField(_("who (name)"), max_length=200, blank=True)
    actor_role = models.CharField(_("role"), max_length=40, blank=True)
    object_type = models.CharField(_("object type"), max_length=40)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    at = models.DateTimeField(_("time"))
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["id"]
        indexes = [models.Index(fields=["patient", "-at"], name="audit_patient_at")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type} {self.object_id}"


class AuditAlert(models.Model):
    """An anomaly found in the audit log (or in the SMS sent), for the security officer.

    One alert per kind, subject and window (the unique constraint): running the
    detectors again over the same window adds late records to the alert and
    never raises a second one.
    """

    class Kind(models.TextChoices):
        MANY_PATIENTS = "many_patients", _("one staff member opened many patients' records")
        OFF_HOURS = "off_hours", _("medical data read outside working hours")
        FAILED_LOGINS = "failed_logins", _("failed logins to several accounts from one address")
        SMS_BURST = "sms_burst", _("a burst of SMS sends")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # What the alert concerns, as deduplication sees it: "user:<id>", "ip:<address>", "sms".
    subject = models.CharField(_("concerns"), max_length=100)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("staff member (name)"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    window_start = models.DateTimeField(_("from"))
    window_end = models.DateTimeField(_("to"))
    summary = models.TextField(_("summary"))
    records = models.ManyToManyField(
        AuditRecord, verbose_name=_("audit records"), related_name="alerts", blank=True
    )
    sms_ids = models.JSONField(_("SMS messages"), default=list, blank=True)
    created_at = models.DateTimeField(_("raised at"), default=timezone.now)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("audit alert")
        verbose_name_plural = _("audit alerts")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject", "window_start"], name="audit_alert_once_per_window"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.subject}"
