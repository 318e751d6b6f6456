"""Accounts waiting for a registrar: a registration the MIS could not match surely."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LinkRequest(models.Model):
    """A new account whose MIS patient a registrar has to pick (or refuse).

    Made when the lookup by phone + birth date + surname found nobody, several
    people, or a weak match; the account is never linked automatically then.
    """

    class Reason(models.TextChoices):
        NOT_FOUND = "not_found", _("no patient found")
        AMBIGUOUS = "ambiguous", _("several patients match")
        WEAK = "weak", _("weak match")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="link_requests",
    )
    phone = models.CharField(_("phone"), max_length=16)
    last_name = models.CharField(_("last name"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    birth_date = models.DateField(_("birth date"))
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    candidates = models.JSONField(
        _("candidates"), default=list, blank=True, help_text=_("MIS ids the lookup returned.")
    )
    mis_id = models.CharField(
        _("MIS patient id"),
        max_length=64,
        blank=True,
        help_text=_("The registrar's choice, checked against the MIS on approval."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    note = models.TextField(_("registrar's note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("account link request")
        verbose_name_plural = _("account link requests")
        ordering = ["status", "created_at"]

    def __str__(self) -> str:
        return f"{self.last_name} {self.first_name}, {self.birth_date:%d.%m.%Y}"
