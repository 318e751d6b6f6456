"""What a patient is told of a booked visit: the confirmation screen, the
manage page and the calendar file share these facts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import formats

from booking.links import manage_path
from booking.models import Appointment
from catalog.models import Service

# The site's pages know how to prepare for a service (editors write it); they
# register where to read it (clinic_pages' AppConfig.ready).
PreparationSource = Callable[[Service], str]
_preparation_source: PreparationSource | None = None


def register_preparation_source(source: PreparationSource) -> None:
    global _preparation_source
    _preparation_source = source


def preparation(service: Service) -> str:
    """Plain text of how to prepare for `service`, or ""."""
    return _preparation_source(service) if _preparation_source is not None else ""


def local_start(appointment: Appointment) -> datetime:
    zone = ZoneInfo(appointment.branch.time_zone if appointment.branch else settings.TIME_ZONE)
    return appointment.start.astimezone(zone)


def local_label(appointment: Appointment) -> str:
    """«пятница, 4 декабря 2026, 10:30» on the branch's wall clock."""
    return formats.date_format(local_start(appointment), "l, j E Y, H:i")


def map_url(appointment: Appointment) -> str:
    if not appointment.branch or not appointment.branch.address:
        return ""
    return "https://yandex.ru/maps/?text=" + quote(appointment.branch.address)


def calendar_path(appointment: Appointment) -> str:
    return manage_path(appointment) + "calendar.ics"


def person_name(appointment: Appointment) -> str:
    names = (
        appointment.patient_last_name,
        appointment.patient_first_name,
        appointment.patient_middle_name,
    )
    return " ".join(n for n in names if n)


def calendar_file(appointment: Appointment, *, site_url: str) -> bytes:
    """An iCalendar (RFC 5545) file of the visit, for the patient's calendar."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//clinic-platform//booking//RU")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{appointment.public_id}@{site_url.split('://')[-1].rstrip('/')}")
    event.add("dtstamp", appointment.updated_at or appointment.created_at)
    event.add("dtstart", appointment.start)
    event.add("dtend", appointment.end)
    event.add("summary", f"{appointment.service.name}: {appointment.doctor.full_name}")
    if appointment.branch:
        event.add("location", f"{appointment.branch.name}, {appointment.branch.address}")
    manage = site_url.rstrip("/") + manage_path(appointment)
    event.add("description", "\n".join(filter(None, [preparation(appointment.service), manage])))
    event.add("url", manage)
    event.add(
        "status",
        "CANCELLED" if appointment.status == Appointment.Status.CANCELLED else "CONFIRMED",
    )
    calendar.add_component(event)
    return calendar.to_ical()
