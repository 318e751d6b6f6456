"""Accounts of patients and staff."""

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

phone_validator = RegexValidator(
    r"^\+[1-9]\d{7,14}$", _("Enter the phone number in international format, e.g. +79001234567.")
)


class User(AbstractUser):
    """Everyone who logs in: patients in the cabinet, staff in the admin."""

    phone = models.CharField(
        _("phone"),
        max_length=16,
        unique=True,
        null=True,
        blank=True,
        validators=[phone_validator],
        help_text=_("International format, e.g. +79001234567. Used for SMS codes."),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"


class Patient(models.Model):
    """A person whose medical data the cabinet shows: an MIS patient.

    `account` is the user whose own record this is (None for a child seen only
    through a parent's proxy, or before registration links them). Identity
    comes from the MIS and is not medical data; medical data hangs off this row.
    """

    class Sex(models.TextChoices):
        MALE = "male", _("male")
        FEMALE = "female", _("female")
        UNKNOWN = "", _("unknown")

    mis_id = models.CharField(_("MIS patient id"), max_length=64, unique=True)
    account = models.OneToOneField(
        User,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="patient",
    )
    last_name = models.CharField(_("last name"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    middle_name = models.CharField(_("middle name"), max_length=100, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=16, blank=True, validators=[phone_validator])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        ordering = ["last_name", "first_name", "id"]

    def __str__(self) -> str:
        names = (self.last_name, self.first_name, self.middle_name)
        return " ".join(name for name in names if name)


# The cabinet's other models live in modules named after their part.
from cabinet.accounts_models import LinkRequest  # noqa: E402, F401
from cabinet.consent_models import (  # noqa: E402, F401
    ConsentDocument,
    ConsentSignature,
    ConsentWithdrawal,
)
from cabinet.notifications_models import (  # noqa: E402, F401
    Notification,
    NotificationKind,
    NotificationPreference,
)
from cabinet.proxies_models import ProxyAccess, ProxyRequest  # noqa: E402, F401
