"""What happens to lab results: a recorded event is processed into the results store
the cabinet registers; a polled lab is asked for what is new since its cursor.
Tasks call these (the webhook's intake is integrations.lis.webhook)."""

from __future__ import annotations

import json
import logging
import random
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from integrations import ports
from integrations.lis.fhir_bundle import BundleContent, MalformedBundle, read_bundle
from integrations.lis.models import InboundLabEvent, LabPollCursor
from integrations.lis.signals import lab_report_arrived
from integrations.lis.source import FhirLabSource

logger = logging.getLogger(__name__)
Status = InboundLabEvent.Status


class UnknownPatient(Exception):
    """No cabinet patient has the MIS id the report names."""


# --- where reports go ---------------------------------------------------------


@dataclass(frozen=True)
class StoredReport:
    """What the results store did with a report: its patient and stored report
    (the store's own objects, handed on to `lab_report_arrived`), and whether it is new."""

    patient: Any
    report: Any
    created: bool


class ResultsStore(Protocol):
    """Saves a report (and its PDF) for its patient; raises UnknownPatient."""

    def __call__(
        self, *, report: ports.LabReport, document: ports.PatientDocument | None
    ) -> StoredReport: ...


_results_store: ResultsStore | None = None


def register_results_store(store: ResultsStore) -> None:
    """Where lab reports are saved: the cabinet registers it in its AppConfig.ready()."""
    global _results_store
    _results_store = store


# --- processing ---------------------------------------------------------------


def process_event(*, event_id: int) -> str:
    """Store one recorded webhook event in the cabinet; the event's final status.

    Idempotent: a processed event is left alone, and the row lock keeps two
    workers from processing the same event at once.
    """
    with transaction.atomic():
        event = InboundLabEvent.objects.select_for_update().filter(pk=event_id).first()
        if event is None:
            return "missing"
        if event.status == Status.PROCESSED:
            return event.status
        event.attempts += 1
        try:
            with transaction.atomic():
                content = read_bundle(event.body.encode("utf-8"), time_zone=settings.LIS_TIME_ZONE)
                store_report(content)
        except (MalformedBundle, UnknownPatient) as error:
            _finish(event, Status.FAILED, str(error))
        else:
            _finish(event, Status.PROCESSED)
        return event.status


def _finish(event: InboundLabEvent, status: str, error: str = "") -> None:
    event.status = status
    event.error = error[:500]
    event.processed_at = timezone.now()
    event.save(update_fields=["status", "error", "processed_at", "attempts"])
    if status == Status.FAILED:
        logger.warning("LIS event %s of %s failed: %s", event.event_id, event.lab, error)


def store_report(content: BundleContent) -> bool:
    """Save a report (and its PDF) through the results store; whether it was new.

    `lab_report_arrived` is sent once, after the commit, and only for a new report."""
    if _results_store is None:
        raise ImproperlyConfigured("No LIS results store is registered (cabinet.records).")
    stored = _results_store(report=content.report, document=content.document)
    if stored.created:
        transaction.on_commit(
            lambda: lab_report_arrived.send(
                sender=InboundLabEvent, patient=stored.patient, report=stored.report
            )
        )
    return stored.created


def stale_events(*, older_than: timedelta = timedelta(minutes=2)) -> list[int]:
    """Webhook events still waiting: their task was lost (broker down, worker killed)."""
    return list(
        InboundLabEvent.objects.filter(
            status=Status.RECEIVED, received_at__lt=timezone.now() - older_than
        ).values_list("pk", flat=True)
    )


# --- polling -----------------------------------------------------------------


@dataclass(frozen=True)
class PollOutcome:
    lab: str
    ok: bool
    found: int = 0
    stored: int = 0
    failed: int = 0
    error: str = ""
    unavailable: bool = False  # the lab could not be reached: worth retrying soon

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def polled_labs() -> list[str]:
    return sorted(settings.LIS_POLL_SOURCES)


def lab_source(lab: str) -> ports.LabResultSource:
    return FhirLabSource(
        name=lab,
        url=settings.LIS_POLL_SOURCES[lab],
        token=settings.LIS_POLL_TOKENS.get(lab, ""),
        timeout=settings.LIS_TIMEOUT,
        time_zone=settings.LIS_TIME_ZONE,
    )


def poll_lab(*, lab: str, source: ports.LabResultSource | None = None) -> PollOutcome:
    """Ask the lab for reports since the cursor, store each once, then move the cursor.

    An outage leaves the cursor where it was: the next poll asks for the same
    period again and catches up. The cursor moves to the newest issue time
    seen; asking "at or after" it again is harmless, reports are deduplicated.
    """
    source = source or lab_source(lab)
    now = timezone.now()
    LabPollCursor.objects.get_or_create(
        lab=lab, defaults={"since": now - timedelta(days=settings.LIS_POLL_FIRST_DAYS)}
    )
    with transaction.atomic():
        cursor = LabPollCursor.objects.select_for_update(skip_locked=True).filter(lab=lab).first()
        if cursor is None:
            return PollOutcome(lab=lab, ok=False, error="another poll of this lab is running")
        cursor.last_attempt_at = now
        try:
            reports = source.results_since(cursor.since)
        except ports.LabSourceUnavailable as error:
            cursor.last_error = str(error)[:300]
            cursor.save(update_fields=["last_attempt_at", "last_error"])
            logger.warning("polling LIS %s failed: %s", lab, error)
            return PollOutcome(lab=lab, ok=False, error=cursor.last_error, unavailable=True)
        stored = failed = 0
        for report in reports:
            status = _store_polled(lab=lab, report=report)
            stored += status == "stored"
            failed += status == Status.FAILED
        if reports:
            cursor.since = max(cursor.since, *(r.issued_at for r in reports))
        cursor.last_success_at = now
        cursor.last_error = ""
        cursor.save()
    return PollOutcome(lab=lab, ok=True, found=len(reports), stored=stored, failed=failed)


def poll_retry_delay(retries: int) -> float:
    """Seconds before retrying a poll that met an outage: exponential, with full jitter."""
    ceiling = min(10.0 * 2**retries, settings.LIS_POLL_INTERVAL / 2)
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not a secret


def _store_polled(*, lab: str, report: ports.LabReport) -> str:
    """One polled report as an event of its own: deduplicated, failures kept."""
    event, created = InboundLabEvent.objects.get_or_create(
        lab=lab,
        # A later issue or stage of the same report (a correction) is an event of its own.
        event_id=f"poll:{report.external_id}:{report.issued_at:%Y%m%dT%H%M%S}:{report.status}"[
            :128
        ],
        defaults={
            "channel": InboundLabEvent.Channel.POLL,
            "body": json.dumps(asdict(report), default=str, ensure_ascii=False),
            "report_external_id": report.external_id[:64],
            "patient_mis_id": report.patient_id[:64],
        },
    )
    if not created and event.status == Status.PROCESSED:
        return "duplicate"
    event.attempts += 1
    try:
        with transaction.atomic():
            new = store_report(BundleContent(report=report))
    except UnknownPatient as error:
        _finish(event, Status.FAILED, str(error))
        return Status.FAILED
    _finish(event, Status.PROCESSED)
    return "stored" if new else "duplicate"
