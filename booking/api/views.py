"""Booking API views: thin, they parse input, call booking services, render."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime, time, timedelta

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from booking import consent as booking_consent
from booking import people, phone_codes, selectors, services, waitlist
from booking.api import serializers as s
from booking.api.channels import requester, scoped_key
from booking.models import Appointment, WaitlistEntry
from catalog.models import Doctor, Service, Specialty
from clinic_site.cache import count_hit
from clinic_site.client import client_ip

ERROR = OpenApiResponse(description='{"error": {"code": "...", "message": "..."}}')


class SpecialtyList(generics.ListAPIView):
    """Specialties that have at least one active doctor."""

    serializer_class = s.SpecialtySerializer
    pagination_class = None

    def get_queryset(self):
        return Specialty.objects.filter(is_active=True, doctors__is_active=True).distinct()


def _directory_query(request) -> dict:
    query = s.DirectoryQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


def _id_filters(listed, *names: str):
    """The list's filters in the schema (ids, as DirectoryQuerySerializer reads them)."""
    parameters = [
        OpenApiParameter(name, int, description=f"Only those of this {name} (its id).")
        for name in names
    ]
    responses = {200: listed(many=True), 400: ERROR}
    return extend_schema_view(get=extend_schema(parameters=parameters, responses=responses))


@_id_filters(s.DoctorSerializer, "specialty", "branch")
class DoctorList(generics.ListAPIView):
    serializer_class = s.DoctorSerializer
    pagination_class = None

    def get_queryset(self):
        query = _directory_query(self.request)
        doctors = Doctor.objects.filter(is_active=True).prefetch_related("specialties", "branches")
        if specialty := query.get("specialty"):
            doctors = doctors.filter(specialties__pk=specialty)
        if branch := query.get("branch"):
            doctors = doctors.filter(branches__pk=branch)
        return doctors


@_id_filters(s.ServiceSerializer, "specialty", "doctor")
class ServiceList(generics.ListAPIView):
    serializer_class = s.ServiceSerializer
    pagination_class = None

    def get_queryset(self):
        query = _directory_query(self.request)
        services_ = Service.objects.filter(is_active=True)
        if specialty := query.get("specialty"):
            services_ = services_.filter(specialty__pk=specialty)
        if doctor := query.get("doctor"):
            services_ = services_.filter(doctors__pk=doctor)
        return services_


class SlotList(APIView):
    """Free slots: of a doctor, or the nearest across all doctors of a specialty."""

    @extend_schema(
        parameters=[s.SlotQuerySerializer], responses={200: s.SlotSerializer(many=True), 400: ERROR}
    )
    def get(self, request):
        query = s.SlotQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        now = timezone.now()
        start = max(now, _day_start(q.get("date_from")) or now)
        end = _day_start(q.get("date_to"), plus_days=1) or start + timedelta(days=14)
        slots = selectors.search_free_slots(
            doctor_id=q.get("doctor"),
            specialty_id=q.get("specialty"),
            service_id=q.get("service"),
            branch_id=q.get("branch"),
            online=q.get("online"),
            start=start,
            end=end,
            limit=q["limit"],
        )
        return Response(s.SlotSerializer(slots, many=True).data)


def _day_start(day, plus_days: int = 0) -> datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day + timedelta(days=plus_days), time()))


class HoldThrottle(SimpleRateThrottle):
    """Requests per client address (or per person of a trusted channel), at the
    rate settings.BOOKING_HOLDS_PER_IP says now; each view counts in its own
    bucket (its throttle_scope). A window opens at a client's first request;
    counting is one cache round trip (DRF's default keeps and rewrites a list
    of every request's time)."""

    def __init__(self):
        pass  # the rate is read per request: settings may change at run time

    def allow_request(self, request, view) -> bool:
        self.scope = getattr(view, "throttle_scope", None) or "holds"
        self.num_requests, self.duration = self.parse_rate(settings.BOOKING_HOLDS_PER_IP)
        key = self.get_cache_key(request, view)
        if key is None or self.num_requests is None:
            return True
        hits, self.seconds_left = count_hit(key, self.duration)
        return hits <= self.num_requests

    def wait(self) -> float:
        return self.seconds_left

    def get_cache_key(self, request, view) -> str:
        # A trusted channel (the Telegram bot) is counted per person it serves,
        # a guest by the address (never a client's own X-Forwarded-For).
        return self.cache_format % {"scope": self.scope, "ident": requester(request)}


class HoldCreate(APIView):
    """Hold a free slot for a few minutes (the answer carries the token to confirm it)."""

    throttle_classes = [HoldThrottle]
    throttle_scope = "holds"

    @extend_schema(
        request=s.HoldRequestSerializer,
        responses={201: s.HeldAppointmentSerializer, 409: ERROR, 422: ERROR},
    )
    def post(self, request):
        data = s.HoldRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        appointment = services.hold_slot(
            doctor=v["doctor"],
            service=v["service"],
            start=v["start"],
            idempotency_key=scoped_key(request, v.get("idempotency_key")),
            channel=v["channel"],
            patient=request.user,
        )
        return Response(
            s.HeldAppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED
        )


def _owned(request, public_id, token: str | None) -> Appointment:
    """The appointment, if the caller holds its token or is its logged-in patient."""
    appointment = get_object_or_404(
        Appointment.objects.select_related("doctor", "service", "branch"), public_id=public_id
    )
    user = request.user
    if user is not None and user.is_authenticated and appointment.patient_id == user.pk:
        return appointment
    if token and secrets.compare_digest(token, appointment.token):
        return appointment
    # The same answer as for a missing one: no probing of other people's bookings.
    raise Http404


class AppointmentDetail(APIView):
    @extend_schema(responses={200: s.BookedAppointmentSerializer, 404: ERROR})
    def get(self, request, public_id):
        token = request.headers.get("X-Booking-Token") or request.query_params.get("token")
        return Response(s.BookedAppointmentSerializer(_owned(request, public_id, token)).data)


class AppointmentConfirm(APIView):
    """Confirm a hold with the patient's details: it goes to the MIS (maybe queued)."""

    @extend_schema(
        request=s.ConfirmRequestSerializer,
        responses={202: s.BookedAppointmentSerializer, 404: ERROR, 409: ERROR, 410: ERROR},
    )
    def post(self, request, public_id):
        data = s.ConfirmRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        appointment = _owned(request, public_id, v["token"])
        user = request.user
        logged_in = bool(user and user.is_authenticated)
        patient = _patient_of(user, v)
        owner = user if logged_in else None
        if not logged_in and settings.BOOKING_GUEST_PHONE_CODE:
            holding = appointment.status == Appointment.Status.HELD
            if holding and appointment.hold_expires_at > timezone.now():
                phone_codes.check_code(
                    appointment=appointment, phone=patient.phone, code=v.get("code", "")
                )
                # The guest proved the phone: the booking belongs to its account.
                owner, mis_id = people.account_of_guest(
                    phone=patient.phone, last_name=patient.last_name, first_name=patient.first_name
                )
                patient = replace(patient, mis_id=mis_id)
        appointment = services.confirm(
            appointment=appointment,
            patient=patient,
            consent=_consent(request, v),
            user=owner,
            write_now=True,
        )
        code = status.HTTP_200_OK if appointment.status == "confirmed" else status.HTTP_202_ACCEPTED
        return Response(s.BookedAppointmentSerializer(appointment).data, status=code)


def _patient_of(user, v: dict) -> services.PatientDetails:
    """Whom the visit is for: a logged-in patient's chosen person, else the
    details typed in the form."""
    if v.get("for_person"):
        person = people.person_of(user, v["for_person"])
        if person is None:
            raise ValidationError({"for_person": [_("Choose whom the visit is for.")]})
        return services.PatientDetails(
            last_name=person.last_name,
            first_name=person.first_name,
            middle_name=person.middle_name,
            birth_date=person.birth_date,
            # A child's visit: the parent's phone gets the SMS.
            phone=(v.get("patient") or {}).get("phone") or user.phone or "",
            mis_id=person.mis_id,
        )
    if not v.get("patient"):
        raise ValidationError({"patient": [_("Give the patient's name and phone.")]})
    return services.PatientDetails(**v["patient"])


def _consent(request, v: dict) -> booking_consent.ConsentGiven | None:
    ip = client_ip(request)
    if v.get("consent"):
        return booking_consent.ConsentGiven.to_current(ip=ip, via="form")
    if booking_consent.signed_in_cabinet(request.user):
        return booking_consent.ConsentGiven.to_current(ip=ip, via="cabinet")
    return None


class AppointmentPhoneCode(APIView):
    """Text a code to the guest's phone; confirm/ then needs it."""

    throttle_classes = [HoldThrottle]
    throttle_scope = "phone_codes"

    @extend_schema(
        request=s.PhoneCodeRequestSerializer,
        responses={
            202: OpenApiResponse(description='{"sent": true}'),
            400: ERROR,
            404: ERROR,
            429: ERROR,
        },
    )
    def post(self, request, public_id):
        data = s.PhoneCodeRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appointment = _owned(request, public_id, data.validated_data["token"])
        phone_codes.send_code(
            appointment=appointment, phone=data.validated_data["phone"], client=requester(request)
        )
        return Response(
            {"sent": True, "resend_after": phone_codes.RESEND_AFTER_SECONDS},
            status=status.HTTP_202_ACCEPTED,
        )


class AppointmentCancel(APIView):
    @extend_schema(
        request=s.TokenSerializer,
        responses={200: s.BookedAppointmentSerializer, 404: ERROR, 409: ERROR},
    )
    def post(self, request, public_id):
        data = s.TokenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appointment = _owned(request, public_id, data.validated_data["token"])
        cancelled = services.cancel(appointment=appointment)
        return Response(s.BookedAppointmentSerializer(cancelled).data)


class WaitlistJoin(APIView):
    """Ask for an earlier time with a doctor or in a specialty."""

    throttle_classes = [HoldThrottle]
    throttle_scope = "waitlist"

    @extend_schema(
        request=s.WaitlistRequestSerializer,
        responses={201: s.WaitlistEntrySerializer, 400: ERROR, 429: ERROR},
    )
    def post(self, request):
        data = s.WaitlistRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        consent = _consent(request, {"consent": v.pop("consent")})
        entry = waitlist.join(**v, consent=consent)
        return Response(s.WaitlistEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class WaitlistLeave(APIView):
    @extend_schema(
        request=s.TokenSerializer, responses={200: s.WaitlistEntrySerializer, 404: ERROR}
    )
    def post(self, request, public_id):
        data = s.TokenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = get_object_or_404(WaitlistEntry, public_id=public_id)
        if not secrets.compare_digest(data.validated_data["token"], entry.token):
            raise Http404
        if entry.status == WaitlistEntry.Status.WAITING:
            entry.status = WaitlistEntry.Status.CLOSED
            entry.save(update_fields=["status"])
        return Response(s.WaitlistEntrySerializer(entry).data)
