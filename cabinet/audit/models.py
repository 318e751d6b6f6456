"""The audit log of medical data: append-only, hash-chained records."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditRecord(models.Model):
    """One read or change of a patient's medical data.

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
        related_name="+",
    )
    actor_name = models.CharField(_("who (name)"), max_length=200, blank=True)
    actor_role = models.CharField(_("role"), max_length=40, blank=True)
    object_type = models.CharField(_("object type"), max_length=40)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
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
