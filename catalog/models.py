"""Reference data synced from the clinic's systems, never typed by hand."""

from datetime import date
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(_("%(value)s is not an IANA time zone."), params={"value": value})


class SyncedModel(models.Model):
    """A row mirrored from an external system, keyed by that system's id."""

    external_id = models.CharField(_("external id"), max_length=64, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True


class Branch(SyncedModel):
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300)
    phone = models.CharField(_("phone"), max_length=20)
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Specialty(SyncedModel):
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("specialty")
        verbose_name_plural = _("specialties")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Service(SyncedModel):
    code = models.CharField(_("nomenclature code"), max_length=32, blank=True)
    name = models.CharField(_("name"), max_length=300)
    specialty = models.ForeignKey(
        Specialty,
        verbose_name=_("specialty"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="services",
    )
    duration_minutes = models.PositiveSmallIntegerField(_("duration, minutes"))
    price = models.DecimalField(_("price, RUB"), max_digits=10, decimal_places=2)
    is_online = models.BooleanField(_("online"), default=False)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_first_visit(self) -> bool:
        """A first consultation: B01.<specialty>.001 in the nomenclature."""
        return self.code.startswith("B01.") and self.code.endswith(".001")


def room_specialty_ids() -> list[str]:
    """The one rule for "is a procedure room": the MIS puts rooms under the
    specialties named in BOOKING_ROOM_SPECIALTIES."""
    return list(settings.BOOKING_ROOM_SPECIALTIES)


class BookableQuerySet(models.QuerySet):
    def rooms(self):
        return self.filter(specialties__external_id__in=room_specialty_ids()).distinct()

    def people(self):
        return self.exclude(specialties__external_id__in=room_specialty_ids())


class Doctor(SyncedModel):
    """A bookable resource of the MIS schedule: a doctor, or a procedure room
    (ProcedureRoom, told apart by its specialty: room_specialty_ids). Both have
    a schedule, services and branches; only doctors are people with a page."""

    last_name = models.CharField(_("last name"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    middle_name = models.CharField(_("middle name"), max_length=100, blank=True)
    specialties = models.ManyToManyField(
        Specialty, verbose_name=_("specialties"), related_name="doctors"
    )
    branches = models.ManyToManyField(Branch, verbose_name=_("branches"), related_name="doctors")
    services = models.ManyToManyField(Service, verbose_name=_("services"), related_name="doctors")
    career_start = models.DateField(_("career start"), null=True, blank=True)
    category = models.CharField(_("qualification category"), max_length=100, blank=True)
    degree = models.CharField(_("academic degree"), max_length=100, blank=True)

    objects = BookableQuerySet.as_manager()

    class Meta:
        verbose_name = _("doctor")
        verbose_name_plural = _("doctors")
        ordering = ["last_name", "first_name", "middle_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_room(self) -> bool:
        ids = set(room_specialty_ids())
        return any(s.external_id in ids for s in self.specialties.all())

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def experience_years(self) -> int | None:
        """Full years since the career start (the experience patients are shown)."""
        if self.career_start is None:
            return None
        today = date.today()
        years = today.year - self.career_start.year
        if (today.month, today.day) < (self.career_start.month, self.career_start.day):
            years -= 1
        return max(years, 0)


class RoomManager(models.Manager.from_queryset(BookableQuerySet)):
    def get_queryset(self):
        return super().get_queryset().rooms()


class ProcedureRoom(Doctor):
    """A procedure room (blood draws, injections, ECG): booked like a doctor,
    but not a person: no doctor page, never listed among the doctors."""

    objects = RoomManager()

    class Meta:
        proxy = True
        verbose_name = _("procedure room")
        verbose_name_plural = _("procedure rooms")


class LabTest(SyncedModel):
    """A laboratory test of the price list: what is taken, how to prepare, when ready."""

    code = models.CharField(_("nomenclature code"), max_length=32, blank=True)
    name = models.CharField(_("name"), max_length=300)
    biomaterial = models.CharField(_("biomaterial"), max_length=200)
    preparation = models.TextField(_("preparation"), blank=True)
    turnaround_days = models.PositiveSmallIntegerField(_("turnaround, working days"))
    price = models.DecimalField(_("price, RUB"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("lab test")
        verbose_name_plural = _("lab tests")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CheckupProgram(SyncedModel):
    """A check-up program: lab tests and services sold as one set."""

    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    lab_tests = models.ManyToManyField(
        LabTest, verbose_name=_("lab tests"), related_name="checkup_programs"
    )
    services = models.ManyToManyField(
        Service, verbose_name=_("services"), related_name="checkup_programs"
    )

    class Meta:
        verbose_name = _("check-up program")
        verbose_name_plural = _("check-up programs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
