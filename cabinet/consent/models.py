"""Consent documents, their signatures and withdrawals (152-FZ)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentDocument(models.Model):
    """One version of one consent text; the newest published version of each
    kind is the one a patient must have signed."""

    class Kind(models.TextChoices):
        PERSONAL_DATA = "personal_data", _("processing of personal data")
        MEDICAL_DATA = "medical_data", _("medical data through the cabinet")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        verbose_name = _("consent document")
        verbose_name_plural = _("consent documents")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="consent_kind_version")
        ]

    def __str__(self) -> str:
        return f"{self.title}, v{self.version}"


class ConsentSignature(models.Model):
    """A patient signed one version, confirmed by an SMS code."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consent_signatures"
    )
    document = models.ForeignKey(ConsentDocument, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("signed at"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    text_sha256 = models.CharField(_("SHA-256 of the text"), max_length=64)
    phone = models.CharField(_("phone the code went to"), max_length=16)

    class Meta:
        verbose_name = _("consent signature")
        verbose_name_plural = _("consent signatures")
        ordering = ["-signed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} — {self.document}"


class ConsentWithdrawal(models.Model):
    """The patient withdrew a consent: access closes until they sign again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consent_withdrawals"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ConsentDocument.Kind.choices)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent withdrawal")
        verbose_name_plural = _("consent withdrawals")
        ordering = ["-withdrawn_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} — {self.kind}"
