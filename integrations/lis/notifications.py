"""Telling the patient their lab results are ready.

A patient with a cabinet account gets a cabinet notification, sent by SMS and
email as their preferences say (cabinet.notifications.services.notify); a patient
without one (seen only through a parent's proxy, or not registered) gets
the SMS alone, to the phone the MIS has."""

from __future__ import annotations

import logging

from django.conf import settings
from django.dispatch import receiver
from django.utils.translation import gettext

from integrations.lis.signals import lab_report_arrived
from integrations.sms.phones import InvalidPhone
from integrations.sms.services import send_sms

logger = logging.getLogger(__name__)
PURPOSE = "lab_results"


@receiver(lab_report_arrived, dispatch_uid="integrations.lis.results_ready_sms")
def text_results_ready(sender, *, patient, report, **_kwargs) -> None:
    """No medical detail in the SMS: only that results wait in the personal account."""
    if not settings.LIS_RESULTS_SMS or not (patient.phone or patient.account_id):
        return
    text = gettext("Your lab results are ready. See them in your personal account.")
    if patient.account_id is not None:
        from cabinet.notifications.models import NotificationKind
        from cabinet.notifications.services import notify

        notify(patient.account, NotificationKind.RESULTS_READY, text)
        return
    try:
        send_sms(to=patient.phone, text=text, purpose=PURPOSE)
    except InvalidPhone:
        logger.warning("patient %s: no valid phone for the results SMS", patient.pk)
