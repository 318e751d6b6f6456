"""The patient's appointments in the cabinet: upcoming and past, cancel, move."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from booking import people
from booking.models import Appointment
from booking.views import SHOWN_STATUSES, change_appointment


def _mine(request):
    """The logged-in account's appointments (its own and its children's):
    nobody else's is ever found."""
    return Appointment.objects.filter(
        patient=request.user, status__in=SHOWN_STATUSES
    ).select_related("doctor", "service", "branch")


def _of_person(request, person):
    """The appointments of the person the cabinet acts for: a child's when the
    parent switched to the child, else the account's own (children's excluded)."""
    mine = _mine(request)
    if person is not None and not person.is_self:
        return mine.filter(patient_mis_id=person.mis_id)
    own = Q(patient_mis_id="") | Q(patient_mis_id=person.mis_id if person else "")
    return mine.filter(own)


@login_required
@require_GET
def appointments(request):
    now = timezone.now()
    person = people.acting_person(request)
    theirs = _of_person(request, person)
    upcoming = theirs.filter(
        start__gte=now, status__in=(Appointment.Status.AWAITING, Appointment.Status.CONFIRMED)
    ).order_by("start")
    past = theirs.exclude(pk__in=upcoming.values("pk")).order_by("-start")[:50]
    return render(
        request,
        "booking/cabinet_appointments.html",
        {"upcoming": upcoming, "past": past, "person": person},
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
