"""Clinic staff: the role that decides which medical cards a staff user may open."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffProfile(models.Model):
    class Role(models.TextChoices):
        REGISTRAR = "registrar", _("registrar")
        ATTENDING = "attending", _("attending doctor")
        HEAD = "head", _("head of department")
        EDITOR = "editor", _("editor")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    doctor = models.ForeignKey(
        "catalog.Doctor",
        verbose_name=_("doctor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The attending doctor this user is."),
    )
    department = models.ForeignKey(
        "catalog.Specialty",
        verbose_name=_("department"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The head of department's department (a specialty)."),
    )

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"
