"""A parent's access to a child's cabinet: the request and the verified grant."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ProxyRequest(models.Model):
    """A parent asks for access to a child; a registrar checks the documents."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    parent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proxy_requests"
    )
    last_name = models.CharField(_("child's last name"), max_length=100)
    first_name = models.CharField(_("child's first name"), max_length=100)
    birth_date = models.DateField(_("child's birth date"))
    candidates = models.JSONField(_("candidates"), default=list, blank=True)
    mis_id = models.CharField(_("MIS patient id"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    document_note = models.TextField(
        _("document note"),
        blank=True,
        help_text=_("Which document proves the relation (e.g. birth certificate series and no)."),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("proxy request")
        verbose_name_plural = _("proxy requests")
        ordering = ["status", "created_at"]

    def __str__(self) -> str:
        return f"{self.parent} → {self.last_name} {self.first_name}"


class ProxyAccess(models.Model):
    """A verified grant. It ends on the child's 15th birthday (computed in
    cabinet.proxies.services, never stored as a flag) or when revoked."""

    parent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proxy_grants"
    )
    child = models.ForeignKey(
        "cabinet.Patient", on_delete=models.CASCADE, related_name="proxy_grants"
    )
    request = models.OneToOneField(
        ProxyRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="grant"
    )
    document_note = models.TextField(_("document note"))
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("proxy access")
        verbose_name_plural = _("proxy accesses")
        constraints = [
            models.UniqueConstraint(fields=["parent", "child"], name="proxy_parent_child")
        ]

    def __str__(self) -> str:
        return f"{self.parent} → {self.child}"
