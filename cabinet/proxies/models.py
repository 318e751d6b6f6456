"""A parent's access to a child's cabinet: the request and the verified grant."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cabinet.registrar_decisions import RegistrarDecision
from clinic_site.crypto import EncryptedDateField, EncryptedTextField


class ProxyRequest(RegistrarDecision):
    """A parent asks for access to a child; a registrar checks the documents.

    The child's name, birth date and the document note are encrypted."""

    parent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proxy_requests"
    )
    last_name = EncryptedTextField(_("child's last name"))
    first_name = EncryptedTextField(_("child's first name"))
    birth_date = EncryptedDateField(_("child's birth date"))
    candidates = models.JSONField(_("candidates"), default=list, blank=True)
    mis_id = models.CharField(_("MIS patient id"), max_length=64, blank=True)
    document_note = EncryptedTextField(
        _("document note"),
        blank=True,
        help_text=_("Which document proves the relation (e.g. birth certificate series and no)."),
    )

    class Meta(RegistrarDecision.Meta):
        verbose_name = _("proxy request")
        verbose_name_plural = _("proxy requests")

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
    document_note = EncryptedTextField(_("document note"))
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
