"""Accounts: everyone who logs in (User), the patients the cabinet shows, and
registrations a registrar has to link to the MIS by hand (LinkRequest)."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cabinet.registrar_decisions import RegistrarDecision
from clinic_site.blind_index import BlindIndexField
from clinic_site.crypto import EncryptedDateField, EncryptedTextField

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


class LinkRequest(RegistrarDecision):
    """A new account whose MIS patient a registrar has to pick (or refuse).

    Made when the lookup by phone + birth date + surname found nobody, several
    people, or a weak match; the account is never linked automatically then.
    The person's details are encrypted; the registrar finds a request by its
    phone or last name through their keyed hashes.
    """

    class Reason(models.TextChoices):
        NOT_FOUND = "not_found", _("no patient found")
        AMBIGUOUS = "ambiguous", _("several patients match")
        WEAK = "weak", _("weak match")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="link_requests",
    )
    phone = EncryptedTextField(_("phone"))
    phone_index = BlindIndexField(source="phone", purpose="phone")
    last_name = EncryptedTextField(_("last name"))
    last_name_index = BlindIndexField(source="last_name", purpose="name")
    first_name = EncryptedTextField(_("first name"))
    birth_date = EncryptedDateField(_("birth date"))
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
    note = EncryptedTextField(_("registrar's note"), blank=True)

    class Meta(RegistrarDecision.Meta):
        verbose_name = _("account link request")
        verbose_name_plural = _("account link requests")

    def __str__(self) -> str:
        return f"{self.last_name} {self.first_name}, {self.birth_date:%d.%m.%Y}"
