"""Pages of booking: the embeddable widget's frame."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

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
