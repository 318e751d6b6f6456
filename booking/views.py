"""Pages of booking: the embeddable widget's frame, the signed manage page."""

from datetime import datetime

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET, require_http_methods

from booking import services
from booking.links import manage_path, public_id_from
from booking.models import Appointment
from booking.selectors import next_free_slots
from catalog.models import Doctor


@xframe_options_exempt  # this page exists to be framed by widget.js on other sites
@require_GET
def embed(request):
    """The booking component alone, for the widget's iframe: ?doctor=<id>."""
    doctor_id = request.GET.get("doctor", "")
    doctor = get_object_or_404(Doctor, pk=doctor_id if doctor_id.isdigit() else 0, is_active=True)
    return render(
        request,
        "booking/embed.html",
        {"doctor": doctor, "free_slots": next_free_slots(doctor=doctor, limit=12)},
    )


@require_http_methods(["GET", "POST"])
def manage(request, signed: str):
    """Cancel or move an appointment from the signed link in the patient's SMS."""
    public_id = public_id_from(signed)
    if public_id is None:
        raise Http404
    appointment = get_object_or_404(
        Appointment.objects.select_related("doctor", "service", "branch"), public_id=public_id
    )
    return change_appointment(request, appointment, moved_to=manage_path)


def change_appointment(request, appointment: Appointment, *, moved_to, back_url: str = ""):
    """The appointment page: see it, cancel it, or move it to another free time.
    Shared by the SMS link and the cabinet; `moved_to(new)` is the page of the
    appointment a move creates."""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "cancel":
                services.cancel(appointment=appointment)
                messages.success(request, _("The appointment is cancelled."))
            elif request.POST.get("action") == "reschedule":
                start = datetime.fromisoformat(request.POST.get("start", ""))
                new = services.reschedule(appointment=appointment, start=start)
                messages.success(
                    request,
                    _(
                        "The new time is booked; the old one will be freed once the clinic "
                        "confirms the new one."
                    ),
                )
                return redirect(moved_to(new))
        except services.BookingError as error:
            messages.error(request, str(error))
        except ValueError:
            messages.error(request, _("Choose a time from the list."))
        return redirect(request.path)
    can_change = appointment.status in (Appointment.Status.AWAITING, Appointment.Status.CONFIRMED)
    other_times = (
        next_free_slots(doctor=appointment.doctor, service=appointment.service, limit=8)
        if can_change
        else []
    )
    return render(
        request,
        "booking/manage.html",
        {
            "appointment": appointment,
            "other_times": other_times,
            "can_change": can_change,
            "back_url": back_url,
        },
    )


@require_http_methods(["GET", "POST"])
def offer(request, signed: str):
    """The waitlist's SMS link: the offered time, booked with one tap."""
    from booking import waitlist

    entry = waitlist.entry_from(signed)
    if entry is None:
        raise Http404
    if request.method == "POST":
        try:
            appointment = waitlist.accept(entry=entry)
        except services.BookingError as error:
            messages.error(request, str(error))
            return redirect(request.path)
        messages.success(request, _("You are booked for the offered time."))
        return redirect(manage_path(appointment))
    offer_ = entry.offer
    expired = (
        offer_ is None
        or entry.status != entry.Status.OFFERED
        or offer_.status != Appointment.Status.HELD
        or offer_.hold_expires_at <= timezone.now()
    )
    return render(
        request, "booking/offer.html", {"entry": entry, "offer": offer_, "expired": expired}
    )
