"""Serializers of the booking API (the wire format every channel shares)."""

from __future__ import annotations

from datetime import UTC, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rest_framework import serializers

from booking import receipt
from booking.directory import directory
from booking.links import manage_path
from booking.models import Appointment
from catalog.models import Branch, Doctor, Service, Specialty


class SpecialtySerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="pk")

    class Meta:
        model = Specialty
        fields = ["id", "name"]


class BranchSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="pk")

    class Meta:
        model = Branch
        fields = ["id", "name", "address", "phone", "time_zone"]


class ServiceSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="pk")
    specialty = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Service
        fields = ["id", "code", "name", "specialty", "duration_minutes", "price", "is_online"]


class DoctorSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="pk")
    full_name = serializers.CharField()
    specialties = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    branches = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    experience_years = serializers.IntegerField(allow_null=True)

    class Meta:
        model = Doctor
        fields = [
            "id",
            "full_name",
            "specialties",
            "branches",
            "experience_years",
            "category",
            "degree",
        ]


def _utc(moment) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class SlotSerializer(serializers.Serializer):
    """A free slot. The fields document the format; rendering is one plain
    function (slot lists are long and DRF's field machinery is slow)."""

    doctor = serializers.IntegerField(source="doctor.pk")
    doctor_name = serializers.CharField(source="doctor.full_name")
    service = serializers.IntegerField(source="service.pk")
    branch = serializers.IntegerField(source="branch.pk", allow_null=True)
    start = serializers.DateTimeField(help_text="UTC")
    end = serializers.DateTimeField(help_text="UTC")
    local_start = serializers.SerializerMethodField(
        help_text="Start in the branch's time zone, with its offset."
    )
    time_zone = serializers.CharField(source="branch.time_zone", allow_null=True)

    def get_local_start(self, slot) -> str:
        return slot.local_start.isoformat()

    def to_representation(self, slot) -> dict:
        branch = slot.branch
        return {
            "doctor": slot.doctor.pk,
            "doctor_name": slot.doctor.full_name,
            "service": slot.service.pk,
            "branch": branch.pk if branch else None,
            "start": _utc(slot.start),
            "end": _utc(slot.end),
            "local_start": slot.local_start.isoformat(),
            "time_zone": branch.time_zone if branch else None,
        }


# Ids are positive database integers; anything else is a 400, not a query.
MAX_ID = 2**31 - 1
# Slots are asked for at most this far ahead (no MIS schedules further).
MAX_DAYS_AHEAD = 366


def id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class DirectoryQuerySerializer(serializers.Serializer):
    """Filters of the doctor and service lists."""

    specialty = id_field(required=False)
    branch = id_field(required=False)
    doctor = id_field(required=False)


class SlotQuerySerializer(serializers.Serializer):
    doctor = id_field(required=False)
    specialty = id_field(required=False)
    service = id_field(required=False)
    branch = id_field(required=False)
    online = serializers.BooleanField(required=False, allow_null=True, default=None)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=50)

    def validate(self, data):
        if not any(data.get(k) for k in ("doctor", "specialty", "service")):
            raise serializers.ValidationError(_("Give a doctor, a specialty or a service."))
        latest = timezone.localdate() + timedelta(days=MAX_DAYS_AHEAD)
        for name in ("date_from", "date_to"):
            if data.get(name) and data[name] > latest:
                raise serializers.ValidationError(
                    {name: _("Ask for dates within a year from today.")}
                )
        if data.get("date_from") and data.get("date_to"):
            if data["date_to"] < data["date_from"]:
                raise serializers.ValidationError(_("date_to is before date_from."))
            if (data["date_to"] - data["date_from"]).days > 60:
                raise serializers.ValidationError(_("Ask for at most 60 days at once."))
        return data


class DirectoryRelatedField(serializers.PrimaryKeyRelatedField):
    """A doctor or service by id, found in the booking directory snapshot
    (no query: every hold in a storm asks), else in the database."""

    def __init__(self, *, snapshot_attribute: str, **kwargs):
        self.snapshot_attribute = snapshot_attribute
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, int) or (isinstance(data, str) and data.isdigit()):
            found = getattr(directory(), self.snapshot_attribute).get(int(data))
            if found is not None:
                return found
        return super().to_internal_value(data)


class HoldRequestSerializer(serializers.Serializer):
    doctor = DirectoryRelatedField(
        snapshot_attribute="doctors", queryset=Doctor.objects.filter(is_active=True)
    )
    service = DirectoryRelatedField(
        snapshot_attribute="services", queryset=Service.objects.filter(is_active=True)
    )
    start = serializers.DateTimeField()
    idempotency_key = serializers.CharField(max_length=128, required=False)
    channel = serializers.ChoiceField(choices=Appointment.Channel.choices, default="site")


PHONE_PATTERN = r"^\+[1-9]\d{7,14}$"


def phone_field(**kwargs) -> serializers.RegexField:
    return serializers.RegexField(
        PHONE_PATTERN,
        max_length=16,
        error_messages={"invalid": _("Enter a mobile number like +7 900 000-00-00.")},
        **kwargs,
    )


class PatientSerializer(serializers.Serializer):
    last_name = serializers.CharField(max_length=100)
    first_name = serializers.CharField(max_length=100)
    middle_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    phone = phone_field()
    birth_date = serializers.DateField(required=False, allow_null=True)


class ConfirmRequestSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=64)
    patient = PatientSerializer(
        required=False, help_text="Who the visit is for (a guest, or an account without a record)."
    )
    for_person = serializers.CharField(
        max_length=32,
        required=False,
        help_text="A logged-in patient: the key of one of their people (themselves or a child "
        "under their proxy), from the booking form.",
    )
    consent = serializers.BooleanField(
        default=False,
        help_text="The patient agrees to the processing of personal data (the text at "
        "/book/consent/); needed unless the account has signed it in the cabinet.",
    )
    code = serializers.CharField(
        max_length=12, required=False, help_text="The SMS code (guests, see phone-code/)."
    )


class PhoneCodeRequestSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=64)
    phone = phone_field()


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=64)


class AppointmentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    doctor = serializers.IntegerField(source="doctor.pk")
    doctor_name = serializers.CharField(source="doctor.full_name")
    service = serializers.IntegerField(source="service.pk")
    service_name = serializers.CharField(source="service.name")
    branch = BranchSerializer(allow_null=True)

    class Meta:
        model = Appointment
        fields = [
            "id",
            "status",
            "doctor",
            "doctor_name",
            "service",
            "service_name",
            "branch",
            "start",
            "end",
            "hold_expires_at",
            "failure",
            "channel",
        ]


class BookedAppointmentSerializer(AppointmentSerializer):
    """A booking as its patient sees it: what the confirmation screen shows."""

    local_start = serializers.SerializerMethodField(help_text="Start on the branch's clock.")
    local_label = serializers.SerializerMethodField(help_text="The start, in words (Russian).")
    price = serializers.DecimalField(source="service.price", max_digits=10, decimal_places=2)
    preparation = serializers.SerializerMethodField()
    person_name = serializers.SerializerMethodField(help_text="Whom the visit is for.")
    map_url = serializers.SerializerMethodField()
    manage_url = serializers.SerializerMethodField(help_text="Cancel or move (no login needed).")
    calendar_url = serializers.SerializerMethodField(help_text="An .ics file of the visit.")

    class Meta(AppointmentSerializer.Meta):
        fields = [
            *AppointmentSerializer.Meta.fields,
            "local_start",
            "local_label",
            "price",
            "preparation",
            "person_name",
            "map_url",
            "manage_url",
            "calendar_url",
        ]

    def get_local_start(self, appointment) -> str:
        return receipt.local_start(appointment).isoformat()

    def get_local_label(self, appointment) -> str:
        return receipt.local_label(appointment)

    def get_preparation(self, appointment) -> str:
        return receipt.preparation(appointment.service)

    def get_person_name(self, appointment) -> str:
        return receipt.person_name(appointment)

    def get_map_url(self, appointment) -> str:
        return receipt.map_url(appointment)

    def get_manage_url(self, appointment) -> str:
        return manage_path(appointment)

    def get_calendar_url(self, appointment) -> str:
        return receipt.calendar_path(appointment)


class HeldAppointmentSerializer(AppointmentSerializer):
    """The answer to a hold: includes the secret token needed to confirm or cancel."""

    class Meta(AppointmentSerializer.Meta):
        fields = [*AppointmentSerializer.Meta.fields, "token"]


class WaitlistRequestSerializer(serializers.Serializer):
    doctor = serializers.PrimaryKeyRelatedField(
        queryset=Doctor.objects.filter(is_active=True), required=False, allow_null=True
    )
    specialty = serializers.PrimaryKeyRelatedField(
        queryset=Specialty.objects.filter(is_active=True), required=False, allow_null=True
    )
    service = serializers.PrimaryKeyRelatedField(
        queryset=Service.objects.filter(is_active=True), required=False, allow_null=True
    )
    wanted_before = serializers.DateTimeField(required=False, allow_null=True)
    phone = phone_field()
    last_name = serializers.CharField(max_length=100)
    first_name = serializers.CharField(max_length=100)
    consent = serializers.BooleanField(
        default=False,
        help_text="The patient agrees to the processing of personal data (/book/consent/).",
    )

    def validate(self, data):
        if not data.get("doctor") and not data.get("specialty"):
            raise serializers.ValidationError(_("Give a doctor or a specialty."))
        return data


class WaitlistEntrySerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    token = serializers.CharField()
    status = serializers.CharField()
    doctor = serializers.IntegerField(source="doctor_id", allow_null=True)
    specialty = serializers.IntegerField(source="specialty_id", allow_null=True)
    created_at = serializers.DateTimeField()
