"""Pages of booking: the embeddable widget's frame, the signed manage page."""

from datetime import datetime

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET, require_http_methods

from booking import consent as booking_consent
from booking import links, receipt, services, waitlist
from booking.links import manage_path
from booking.models import Appointment
from booking.selectors import next_free_slots
from catalog.models import Doctor

SHOWN_STATUSES = (
    Appointment.Status.AWAITING,
    Appointment.Status.CONFIRMED,
    Appointment.Status.CANCELLED,
)


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


def _link_gone(request, status: int = 200):
    """What an expired, revoked or forged link shows: how to reach the clinic, no
    booking. Also the answer to the cancellation or revocation that killed the
    link (200: said here, not on a page the link no longer opens)."""
    return render(request, "booking/link_gone.html", status=status)


@require_http_methods(["GET", "POST"])
def manage(request, signed: str):
    """Cancel or move an appointment from the signed link in the patient's SMS."""
    try:
        appointment = links.manage_appointment(signed)
    except links.DeadLink as error:
        return _link_gone(request, error.status)
    if request.method == "POST" and request.POST.get("action") == "revoke":
        services.revoke_links(appointment=appointment, text_new_link=True)
        messages.success(
            request,
            _(
                "This link no longer works on any device. We have sent a new link by SMS "
                "to the phone number of the booking."
            ),
        )
        return _link_gone(request)
    return change_appointment(request, appointment, moved_to=manage_path, by_link=True)


@require_GET
def calendar(request, signed: str):
    """The visit as an .ics file for the patient's calendar (the signed link's)."""
    try:
        appointment = links.manage_appointment(signed)
    except links.DeadLink as error:
        return _link_gone(request, error.status)
    if appointment.status not in SHOWN_STATUSES:
        raise Http404
    response = HttpResponse(
        receipt.calendar_file(appointment, site_url=request.build_absolute_uri("/")),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="visit.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def consent_text(request):
    """The text a patient agrees to when booking (linked from the booking form)."""
    return render(request, "booking/consent.html", {"consent": booking_consent.current_consent()})


def change_appointment(
    request, appointment: Appointment, *, moved_to, back_url: str = "", by_link: bool = False
):
    """The appointment page: see it, cancel it (after one question), or move it
    to another free time on a day/time grid. Shared by the SMS link (`by_link`:
    it offers to revoke the link) and the cabinet; `moved_to(new)` is the page
    of the appointment a move creates."""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "cancel":
                services.cancel(appointment=appointment)
                messages.success(
                    request,
                    _("The appointment is cancelled. We have sent you an SMS about it."),
                )
                if by_link:
                    return _link_gone(request)
            elif request.POST.get("action") == "reschedule":
                start = datetime.fromisoformat(request.POST.get("start", ""))
                if timezone.is_naive(start):
                    raise ValueError("a time without its zone")
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
        next_free_slots(doctor=appointment.doctor, service=appointment.service, limit=60)
        if can_change
        else []
    )
    return render(
        request,
        "booking/manage.html",
        {
            "appointment": appointment,
            "when": receipt.local_label(appointment),
            "map_url": receipt.map_url(appointment),
            "calendar_url": receipt.calendar_path(appointment),
            "preparation": receipt.preparation(appointment.service),
            "person_name": receipt.person_name(appointment),
            "days": slots_by_day(other_times),
            "asking_to_cancel": can_change and request.GET.get("cancel") == "1",
            "can_change": can_change,
            "back_url": back_url,
            "can_revoke_link": by_link and bool(appointment.patient_phone),
        },
    )


def slots_by_day(slots) -> list[tuple[object, list]]:
    """Free times grouped by the branch's local day, for the day/time grid."""
    days: dict = {}
    for slot in slots:
        days.setdefault(slot.local_start.date(), []).append(slot)
    return list(days.items())


@require_http_methods(["GET", "POST"])
def offer(request, signed: str):
    """The waitlist's SMS link: the offered time, booked with one tap."""
    try:
        entry = links.offer_entry(signed)
    except links.DeadLink as error:
        return render(request, "booking/offer.html", {"expired": True}, status=error.status)
    if request.method == "POST":
        try:
            appointment = waitlist.accept(entry=entry)
        except services.BookingError as error:
            messages.error(request, str(error))
            return redirect(request.path)
        messages.success(request, _("You are booked for the offered time."))
        return redirect(manage_path(appointment))
    return render(request, "booking/offer.html", {"entry": entry, "offer": entry.offer})
