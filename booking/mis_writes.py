"""Outbox handlers that write bookings into the MIS (registered in BookingConfig.ready)."""

from __future__ import annotations

import logging

from django.db import transaction

from booking.models import Appointment
from booking.notifications import appointment_status_changed
from booking.schedule_sync import sync_schedule
from booking.services import announce_freed, cancel, forget_cached_slots
from integrations import outbox
from integrations.mis import get_mis_adapter
from integrations.models import OutboxMessage
from integrations.ports import BookingRequest, Patient, SlotTaken

logger = logging.getLogger(__name__)


def _locked(message: OutboxMessage) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("doctor", "service", "branch")
        .get(pk=message.payload["appointment"])
    )


def deliver_booking(message: OutboxMessage) -> None:
    appointment = _locked(message)
    if appointment.status != Appointment.Status.AWAITING:
        return  # cancelled while it waited: nothing to write
    adapter = get_mis_adapter()
    request = BookingRequest(
        idempotency_key=message.key,
        doctor_id=appointment.doctor.external_id,
        branch_id=appointment.branch.external_id if appointment.branch else "",
        service_id=appointment.service.external_id,
        start=appointment.start,
        end=appointment.end,
        patient=Patient(
            last_name=appointment.patient_last_name,
            first_name=appointment.patient_first_name,
            middle_name=appointment.patient_middle_name,
            phone=appointment.patient_phone,
            birth_date=appointment.patient_birth_date,
            external_id=appointment.patient_mis_id,
        ),
    )
    try:
        booked = adapter.book(request)
    except SlotTaken:
        # Taken in the MIS (booked by phone): release ours, refresh that day.
        appointment.status = Appointment.Status.REJECTED
        appointment.failure = "slot_taken"
        appointment.save(update_fields=["status", "failure", "updated_at"])
        forget_cached_slots([appointment])
        day = appointment.start.date()
        transaction.on_commit(lambda: _refresh_day(day))
        _notify(appointment)
        return
    appointment.status = Appointment.Status.CONFIRMED
    appointment.mis_appointment_id = booked.external_id
    appointment.save(update_fields=["status", "mis_appointment_id", "updated_at"])
    if appointment.replaces_id:
        # A reschedule: the new time is secured, now free the old one.

        cancel(appointment=appointment.replaces, enforce_cutoff=False, notify=False)
    _notify(appointment)


def booking_failed(message: OutboxMessage) -> None:
    """The MIS stayed unreachable through every retry: tell the patient clearly."""
    appointment = _locked(message)
    if appointment.status == Appointment.Status.AWAITING:
        appointment.status = Appointment.Status.REJECTED
        appointment.failure = "mis_unavailable"
        appointment.save(update_fields=["status", "failure", "updated_at"])
        forget_cached_slots([appointment])
        _notify(appointment)


def deliver_cancellation(message: OutboxMessage) -> None:
    appointment = _locked(message)
    if appointment.mis_appointment_id:
        get_mis_adapter().cancel(
            appointment_id=appointment.mis_appointment_id, idempotency_key=message.key
        )
    # Free in the MIS too: now the waitlist may have it.
    announce_freed([appointment])


def _refresh_day(day) -> None:
    adapter = get_mis_adapter()
    sync_schedule(adapter=adapter, start=day, days=1)


def _notify(appointment: Appointment) -> None:
    """The SMS is recorded in the transaction that changes the status it tells
    of (one commit for both; it is sent once that commits)."""

    try:
        appointment_status_changed(appointment)
    except ValueError:
        # A number no gateway takes: the booking stands, the cabinet shows it.
        logger.warning("no SMS for appointment %s: bad phone number", appointment.pk)


def register() -> None:
    outbox.register("mis.book", deliver_booking, on_failure=booking_failed)
    outbox.register("mis.cancel", deliver_cancellation)
