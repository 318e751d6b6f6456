"""What the patient is told when an appointment changes state."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def appointment_status_changed(appointment_id: int) -> None:
    from booking.models import Appointment

    appointment = Appointment.objects.select_related("doctor").get(pk=appointment_id)
    logger.info("appointment %s is now %s", appointment.public_id, appointment.status)
