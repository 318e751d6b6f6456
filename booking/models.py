"""The local copy of the MIS schedule (UTC) and the appointments booked here."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import Branch, Doctor, Service
from clinic_site.blind_index import BlindIndexField
from clinic_site.crypto import EncryptedDateField, EncryptedTextField


def _new_token() -> str:
    return secrets.token_urlsafe(24)


class ScheduleInterval(models.Model):
    """One interval of a doctor's schedule as the MIS reported it."""

    class Kind(models.TextChoices):
        WORK = "work", _("work")
        BUSY = "busy", _("busy")
        BREAK = "break", _("break")

    doctor = models.ForeignKey(Doctor, on_delete=models.CASCADE, related_name="schedule")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    # Only work intervals have a branch; busy and break intervals belong to the doctor.
    branch = models.ForeignKey(Branch, null=True, blank=True, on_delete=models.CASCADE)
    start = models.DateTimeField()
    end = models.DateTimeField()

    class Meta:
        verbose_name = _("schedule interval")
        verbose_name_plural = _("schedule intervals")
        constraints = [
            models.UniqueConstraint(
                fields=["doctor", "kind", "start", "end"], name="schedule_interval_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="schedule_interval_positive"
            ),
        ]
        indexes = [models.Index(fields=["doctor", "start"])]

    def __str__(self) -> str:
        return f"{self.doctor_id} {self.kind} {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M}"


class WithConsent(models.Model):
    """The consent to the processing of personal data a booking or a waitlist
    entry was made with (booking.consent.ConsentGiven reads and writes it)."""

    consent_version = models.PositiveIntegerField(null=True, blank=True)
    consent_sha256 = models.CharField(max_length=64, blank=True)
    consent_at = models.DateTimeField(null=True, blank=True)
    consent_ip = models.GenericIPAddressField(null=True, blank=True)
    consent_via = models.CharField(
        max_length=8, blank=True, help_text="form: ticked at booking; cabinet: signed there"
    )

    class Meta:
        abstract = True


class Appointment(WithConsent):
    """A visit booked through the platform: held, then confirmed, in the MIS too.

    Two active appointments (held, awaiting, confirmed) of one doctor never
    overlap, the buffer after each visit included ([start, blocked_until)).
    The booking service checks that under a lock on the doctor's row; on
    PostgreSQL an exclusion constraint (migration 0003) is the backstop.
    """

    class Status(models.TextChoices):
        HELD = "held", _("held")
        AWAITING = "awaiting", _("awaiting confirmation")
        CONFIRMED = "confirmed", _("confirmed")
        CANCELLED = "cancelled", _("cancelled")
        EXPIRED = "expired", _("hold expired")
        REJECTED = "rejected", _("refused by the clinic")
        COMPLETED = "completed", _("completed")
        NO_SHOW = "no_show", _("no-show")

    ACTIVE = (Status.HELD, Status.AWAITING, Status.CONFIRMED)

    class Channel(models.TextChoices):
        SITE = "site", _("site")
        WIDGET = "widget", _("widget")
        APP = "app", _("mobile app")
        TELEGRAM = "telegram", _("Telegram")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Secret of whoever holds the slot (a guest has no account): needed to
    # confirm or cancel through the API or a link.
    token = models.CharField(max_length=64, default=_new_token, editable=False)
    # Part of every signed manage link (booking.links): bumping it revokes
    # all the links sent so far at once.
    link_version = models.PositiveIntegerField(default=0, editable=False)
    idempotency_key = models.CharField(max_length=128, unique=True, null=True, blank=True)
    doctor = models.ForeignKey(Doctor, on_delete=models.PROTECT, related_name="appointments")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="appointments")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, null=True, blank=True)
    start = models.DateTimeField()
    end = models.DateTimeField()
    blocked_until = models.DateTimeField(help_text="end plus the MIS's buffer between visits")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HELD)
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.SITE)
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appointments",
    )
    # Who the visit is for, encrypted (with the doctor they tell who sees
    # which specialist); `patient_phone="+7..."` matches through the keyed hash.
    patient_last_name = EncryptedTextField(blank=True)
    patient_first_name = EncryptedTextField(blank=True)
    patient_middle_name = EncryptedTextField(blank=True)
    patient_phone = EncryptedTextField(blank=True)
    patient_phone_index = BlindIndexField(source="patient_phone", purpose="phone")
    patient_birth_date = EncryptedDateField(null=True, blank=True)
    # The MIS id of the person the visit is for, when the account knows it
    # (the patient themselves, or a child booked by a parent under a proxy).
    patient_mis_id = models.CharField(max_length=64, blank=True)
    mis_appointment_id = models.CharField(max_length=64, blank=True)
    # A reschedule: this appointment replaces that one, which is cancelled
    # only once the MIS has confirmed this one.
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaced_by"
    )
    failure = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        indexes = [
            models.Index(fields=["doctor", "start"]),
            models.Index(fields=["status", "hold_expires_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start"))
                & models.Q(blocked_until__gte=models.F("end")),
                name="appointment_interval_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.doctor} {self.start:%Y-%m-%d %H:%M} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class Reminder(models.Model):
    """One reminder of one appointment: its row exists before the message is
    sent, and the unique constraint makes a second one impossible."""

    class Kind(models.TextChoices):
        DAY_BEFORE = "24h", _("a day before")
        TWO_HOURS = "2h", _("two hours before")

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("email")

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=3, choices=Kind.choices)
    channel = models.CharField(max_length=5, choices=Channel.choices)
    sms = models.ForeignKey(
        "sms.SmsDelivery",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(fields=["appointment", "kind", "channel"], name="reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.appointment_id} {self.kind} {self.channel}"

    @property
    def delivery_status(self) -> str:
        return self.sms.status if self.sms else ""


class WaitlistEntry(WithConsent):
    """A patient waiting for an earlier time with a doctor or in a specialty."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting")
        OFFERED = "offered", _("a time is offered")
        BOOKED = "booked", _("booked")
        CLOSED = "closed", _("closed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    token = models.CharField(max_length=64, default=_new_token, editable=False)
    doctor = models.ForeignKey(Doctor, null=True, blank=True, on_delete=models.CASCADE)
    specialty = models.ForeignKey(
        "catalog.Specialty", null=True, blank=True, on_delete=models.CASCADE
    )
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.CASCADE)
    # Only times before this moment are worth offering (None: any earlier time).
    wanted_before = models.DateTimeField(null=True, blank=True)
    # Encrypted like an appointment's patient; `phone=` matches through the hash.
    phone = EncryptedTextField()
    phone_index = BlindIndexField(source="phone", purpose="phone")
    last_name = EncryptedTextField()
    first_name = EncryptedTextField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.WAITING)
    offer = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(doctor__isnull=False) | models.Q(specialty__isnull=False),
                name="waitlist_doctor_or_specialty",
            )
        ]

    def __str__(self) -> str:
        return f"{self.phone} {self.doctor_id or self.specialty_id} ({self.status})"
