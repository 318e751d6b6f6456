"""The patient's appointments in the cabinet: upcoming and past, cancel, move."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from booking.models import Appointment
from booking.views import change_appointment

SHOWN = (
    Appointment.Status.AWAITING,
    Appointment.Status.CONFIRMED,
    Appointment.Status.CANCELLED,
)


def _mine(request):
    """The logged-in patient's appointments: nobody else's is ever found."""
    return Appointment.objects.filter(patient=request.user, status__in=SHOWN).select_related(
        "doctor", "service", "branch"
    )


@login_required
@require_GET
def appointments(request):
    now = timezone.now()
    mine = _mine(request)
    upcoming = mine.filter(
        start__gte=now, status__in=(Appointment.Status.AWAITING, Appointment.Status.CONFIRMED)
    ).order_by("start")
    past = mine.exclude(pk__in=upcoming.values("pk")).order_by("-start")[:50]
    return render(
        request, "booking/cabinet_appointments.html", {"upcoming": upcoming, "past": past}
    )


@login_required
@require_http_methods(["GET", "POST"])
def appointment(request, public_id):
    found = get_object_or_404(_mine(request), public_id=public_id)
    return change_appointment(
        request,
        found,
        moved_to=lambda new: reverse("cabinet:appointment", args=[new.public_id]),
        back_url=reverse("cabinet:appointments"),
    )
