"""The webhook's intake: a signed delivery recorded, its processing queued after the commit."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction

from integrations.lis.fhir_bundle import read_bundle
from integrations.lis.models import InboundLabEvent
from integrations.lis.tasks import process_lab_event


def webhook_secret(lab: str) -> str | None:
    return settings.LIS_WEBHOOK_SECRETS.get(lab) or None


def accept_webhook_event(*, lab: str, event_id: str, body: bytes) -> tuple[InboundLabEvent, bool]:
    """Record a signed delivery and queue its processing; (event, created).

    The same (lab, event id) again, even racing the first, returns the stored
    event and queues nothing. A body that is not a readable Bundle raises
    MalformedBundle before anything is stored.
    """
    existing = InboundLabEvent.objects.filter(lab=lab, event_id=event_id).first()
    if existing is not None:
        return existing, False
    content = read_bundle(body, time_zone=settings.LIS_TIME_ZONE)
    try:
        with transaction.atomic():
            event = InboundLabEvent.objects.create(
                lab=lab,
                event_id=event_id,
                channel=InboundLabEvent.Channel.WEBHOOK,
                body=body.decode("utf-8"),
                report_external_id=content.report.external_id[:64],
                patient_mis_id=content.report.patient_id[:64],
            )
            transaction.on_commit(lambda: enqueue_processing(event_id=event.pk), robust=True)
    except IntegrityError:
        return InboundLabEvent.objects.get(lab=lab, event_id=event_id), False
    return event, True


def enqueue_processing(*, event_id: int) -> None:
    process_lab_event.delay(event_id)
