"""What the patient is told, and when: booking outcomes and visit reminders.

The wording lives here (Russian through the catalogue); sending goes
through the SMS layer (integrations.sms.services.send_sms), which records
each delivery and its status from the gateway's callback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from booking.links import manage_url
from booking.models import Appointment, Reminder
from integrations.sms.services import send_sms

logger = logging.getLogger(__name__)

# (kind, how long before the visit it is due, the latest it is still worth sending)
REMINDERS = (
    (Reminder.Kind.DAY_BEFORE, timedelta(hours=24), timedelta(hours=3)),
    (Reminder.Kind.TWO_HOURS, timedelta(hours=2), timedelta(minutes=20)),
)


# Whether a patient takes a kind of message through a channel ("sms",
# "email"): the cabinet keeps the preferences and registers its rule
# (cabinet/booking_sources.py). Without one, and for a guest, every channel.
_preference_rule: Callable[[object, str, str], bool] | None = None


def register_preferences(rule: Callable[[object, str, str], bool]) -> None:
    global _preference_rule
    _preference_rule = rule


def wants(user, kind: str, channel: str) -> bool:
    if user is None or _preference_rule is None:
        return True
    return _preference_rule(user, kind, channel)


def _local(appointment: Appointment) -> datetime:
    zone = (
        ZoneInfo(appointment.branch.time_zone)
        if appointment.branch
        else timezone.get_current_timezone()
    )
    return appointment.start.astimezone(zone)


def _when(appointment: Appointment) -> str:
    return formats.date_format(_local(appointment), "j E, H:i")


def appointment_status_changed(appointment: Appointment) -> None:
    """SMS the patient when the MIS confirmed or refused a booking."""
    if not appointment.patient_phone:
        return
    with translation.override(settings.LANGUAGE_CODE):
        if appointment.status == Appointment.Status.CONFIRMED and appointment.replaces_id:
            text = _(
                "Your visit is moved: %(doctor)s, %(when)s, %(branch)s. Cancel or move: %(url)s"
            )
            purpose = "booking_moved"
        elif appointment.status == Appointment.Status.CONFIRMED:
            text = _("You are booked: %(doctor)s, %(when)s, %(branch)s. Cancel or move: %(url)s")
            purpose = "booking_confirmed"
        elif appointment.status == Appointment.Status.REJECTED:
            text = _(
                "The clinic could not book %(when)s with %(doctor)s. Please choose another "
                "time: %(url)s"
            )
            purpose = "booking_rejected"
        else:
            return
        url = (
            manage_url(appointment)
            if appointment.status == Appointment.Status.CONFIRMED
            else settings.WAGTAILADMIN_BASE_URL
        )
        message = text % {
            "doctor": appointment.doctor.full_name,
            "when": _when(appointment),
            "branch": appointment.branch.address if appointment.branch else "",
            "url": url,
        }
    send_sms(to=appointment.patient_phone, text=message, purpose=purpose)


def appointment_cancelled(appointment: Appointment) -> None:
    """SMS the patient that a booked visit is cancelled (recorded in the
    transaction that cancels it, sent once that commits)."""
    if not appointment.patient_phone:
        return
    with translation.override(settings.LANGUAGE_CODE):
        text = _(
            "Your visit to %(doctor)s on %(when)s is cancelled. Book another time: %(url)s"
        ) % {
            "doctor": appointment.doctor.full_name,
            "when": _when(appointment),
            "url": settings.WAGTAILADMIN_BASE_URL,
        }
    try:
        send_sms(to=appointment.patient_phone, text=text, purpose="booking_cancelled")
    except ValueError:
        logger.warning("no SMS for appointment %s: bad phone number", appointment.pk)


def manage_link_renewed(appointment: Appointment) -> None:
    """SMS the patient the one manage link that works after a revocation."""
    with translation.override(settings.LANGUAGE_CODE):
        text = _(
            "A new link to your visit to %(doctor)s on %(when)s: %(url)s. Links sent before "
            "no longer work."
        ) % {
            "doctor": appointment.doctor.full_name,
            "when": _when(appointment),
            "url": manage_url(appointment),
        }
    send_sms(to=appointment.patient_phone, text=text, purpose="booking_new_link")


def in_quiet_hours(moment: datetime, zone: ZoneInfo) -> bool:
    """Quiet hours (BOOKING_QUIET_HOURS, e.g. 22-8) in the branch's local time."""
    start, end = settings.BOOKING_QUIET_HOURS
    hour = moment.astimezone(zone).hour
    return hour >= start or hour < end if start > end else start <= hour < end


def due_reminders(*, now: datetime):
    """(appointment, kind) pairs whose reminder is due now and not yet made."""
    for kind, lead, latest in REMINDERS:
        candidates = (
            Appointment.objects.filter(
                status=Appointment.Status.CONFIRMED,
                start__gt=now + latest,
                start__lte=now + lead,
            )
            .exclude(reminders__kind=kind)
            .select_related("doctor", "branch", "patient")
        )
        for appointment in candidates:
            zone = (
                ZoneInfo(appointment.branch.time_zone)
                if appointment.branch
                else ZoneInfo(settings.TIME_ZONE)
            )
            if not in_quiet_hours(now, zone):
                yield appointment, kind


def send_due_reminders(*, now: datetime | None = None) -> int:
    """Make every due reminder once (beat runs this every few minutes).

    The reminder row is written first, in the transaction that queues the
    SMS: a second worker or a retried task finds the row and sends nothing.
    """
    now = now or timezone.now()
    made = 0
    for appointment, kind in due_reminders(now=now):
        with translation.override(settings.LANGUAGE_CODE):
            text = _("Reminder: %(doctor)s, %(when)s, %(address)s. Cancel or move: %(url)s") % {
                "doctor": appointment.doctor.full_name,
                "when": _when(appointment),
                "address": appointment.branch.address if appointment.branch else "",
                "url": manage_url(appointment),
            }
        channels = []
        # A patient with an account chooses the channels (cabinet preferences).
        if appointment.patient_phone and wants(appointment.patient, "reminder", "sms"):
            channels.append(Reminder.Channel.SMS)
        if (
            appointment.patient
            and appointment.patient.email
            and wants(appointment.patient, "reminder", "email")
        ):
            channels.append(Reminder.Channel.EMAIL)
        for channel in channels:
            try:
                with transaction.atomic():
                    reminder = Reminder.objects.create(
                        appointment=appointment, kind=kind, channel=channel
                    )
                    if channel == Reminder.Channel.SMS:
                        reminder.sms = send_sms(
                            to=appointment.patient_phone, text=text, purpose=f"reminder_{kind}"
                        )
                        reminder.save(update_fields=["sms"])
                    else:
                        transaction.on_commit(
                            lambda text=text, to=appointment.patient.email: _email(to, text)
                        )
            except IntegrityError:
                continue  # someone else made it: never twice
            made += 1
    return made


def _email(to: str, text: str) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Reminder of your appointment")
    send_mail(subject, text, None, [to], fail_silently=False)
