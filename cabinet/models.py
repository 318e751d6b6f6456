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
