"""Lab results from the LIS landing in the cabinet: saved for their patient, and the
patient told they are ready. RecordsConfig.ready() hands both to the LIS path."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.translation import gettext

from cabinet.accounts.models import Patient
from cabinet.notifications.models import NotificationKind
from cabinet.notifications.services import notify
from cabinet.records.services import save_document, save_lab_report
from integrations import ports
from integrations.lis.services import StoredReport, UnknownPatient
from integrations.sms.phones import InvalidPhone
from integrations.sms.services import send_sms

logger = logging.getLogger(__name__)
SOURCE = "lis"
PURPOSE = "lab_results"


def store_lab_report(
    *, report: ports.LabReport, document: ports.PatientDocument | None
) -> StoredReport:
    """The LIS results store: the report (and its PDF) saved for the patient the
    MIS id names; UnknownPatient when no cabinet patient has it."""
    patient = Patient.objects.filter(mis_id=report.patient_id).first()
    if patient is None:
        raise UnknownPatient(
            f"no cabinet patient with MIS id {report.patient_id!r} for report {report.external_id}"
        )
    row, created = save_lab_report(patient=patient, report=report, source=SOURCE)
    if document is not None:
        save_document(patient=patient, document=document)
    return StoredReport(patient=patient, report=row, created=created)


def text_results_ready(sender, *, patient, report, **_kwargs) -> None:
    """Receiver of lab_report_arrived. A patient with a cabinet account gets a
    cabinet notification, sent by SMS and email as their preferences say; a
    patient without one (seen only through a parent's proxy, or not registered)
    gets the SMS alone, to the phone the MIS has. No medical detail in either:
    only that results wait in the personal account."""
    if not settings.LIS_RESULTS_SMS or not (patient.phone or patient.account_id):
        return
    text = gettext("Your lab results are ready. See them in your personal account.")
    if patient.account_id is not None:
        notify(patient.account, NotificationKind.RESULTS_READY, text)
        return
    try:
        send_sms(to=patient.phone, text=text, purpose=PURPOSE)
    except InvalidPhone:
        logger.warning("patient %s: no valid phone for the results SMS", patient.pk)
