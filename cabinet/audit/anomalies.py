"""The detectors of the audit log's anomaly alerts: each one reads the recent
records (or SMS) and returns the windows where access looked wrong.

A detector is a plain function of `since` (how far back to read) with its
thresholds from settings. A window already alerted (`known`) is returned
again with whatever records fall in it, so a second run adds late records to
that alert instead of raising another.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from cabinet.audit.models import AuditAlert, AuditRecord
from cabinet.audit.working_hours import working_hours
from integrations.sms.models import SmsDelivery

Kind = AuditAlert.Kind


@dataclass(frozen=True)
class Event:
    id: int
    at: datetime
    counted: object = None  # what is counted distinct: a patient, an account


@dataclass(frozen=True)
class Finding:
    """One window of one kind about one subject, and the ids behind it."""

    kind: str
    subject: str
    start: datetime
    end: datetime
    record_ids: tuple[int, ...] = ()
    sms_ids: tuple[int, ...] = ()
    actor_id: int | None = None
    ip: str | None = None


@dataclass
class _Window:
    start: datetime
    end: datetime
    events: list[Event] = field(default_factory=list)


def bursts(
    events: Sequence[Event],
    *,
    span: timedelta,
    enough: Callable[[Sequence[Event]], bool],
    known: Iterable[tuple[datetime, datetime]] = (),
) -> list[_Window]:
    """Windows of length `span`, each opened by an event, holding `enough` events.

    Scans the events in time order: an event inside a known window joins it;
    otherwise the `span` from it is a new window when its events are enough,
    and the scan goes on after that window.
    """
    events = sorted(events, key=lambda event: (event.at, event.id))
    times = [event.at for event in events]
    windows = [_Window(start, end) for start, end in sorted(known)]
    found: list[_Window] = []
    i = 0
    while i < len(events):
        at = times[i]
        window = next((w for w in windows if w.start <= at < w.end), None)
        if window is None:
            # A new window stops where a known one starts: windows never overlap.
            end = min([at + span] + [w.start for w in windows if w.start > at])
            if not enough(events[i : bisect.bisect_left(times, end)]):
                i += 1
                continue
            window = _Window(at, end)
            windows.append(window)
        j = bisect.bisect_left(times, window.end, lo=i)
        window.events = events[i:j]
        found.append(window)
        i = j
    return found


def _known(kind: str, since: datetime) -> dict[str, list[tuple[datetime, datetime]]]:
    known: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    rows = AuditAlert.objects.filter(kind=kind, window_end__gt=since)
    for subject, start, end in rows.values_list("subject", "window_start", "window_end"):
        known[subject].append((start, end))
    return known


def _record_bursts(
    kind: str,
    groups: Mapping[Any, list[Event]],
    *,
    since: datetime,
    span: timedelta,
    enough: Callable[[Sequence[Event]], bool],
    about: Callable[[Any], dict[str, Any]],
) -> list[Finding]:
    """The bursts of audit records in each group (a staff member, an address);
    `about(key)` gives the finding's subject and whom it concerns."""
    known = _known(kind, since)
    findings = []
    for key, events in groups.items():
        concerns = about(key)
        for window in bursts(events, span=span, enough=enough, known=known[concerns["subject"]]):
            record_ids = tuple(event.id for event in window.events)
            findings.append(
                Finding(
                    kind=kind, start=window.start, end=window.end, record_ids=record_ids, **concerns
                )
            )
    return findings


def _distinct(events: Iterable[Event]) -> int:
    return len({event.counted for event in events})


# The roles of reads of one's own data (services.actor_from_request).
OWN_DATA_ROLES = ("patient", "proxy")


def _staff_reads(since: datetime) -> QuerySet[AuditRecord]:
    """Reads by users with a staff profile (cabinet.staff), unless of their own data."""
    return (
        AuditRecord.objects.filter(
            at__gte=since,
            actor__staff_profile__isnull=False,
            action__in=[AuditRecord.Action.READ, AuditRecord.Action.EXPORT],
        )
        .exclude(actor_role__in=OWN_DATA_ROLES)
        .order_by("at", "id")
    )


def many_patients(*, since: datetime) -> list[Finding]:
    """A staff member opening the records of AUDIT_ALERT_PATIENTS_PER_STAFF
    different patients within AUDIT_ALERT_PATIENTS_MINUTES."""
    threshold = settings.AUDIT_ALERT_PATIENTS_PER_STAFF
    by_actor: dict[int, list[Event]] = defaultdict(list)
    for pk, actor_id, at, patient_id in _staff_reads(since).values_list(
        "pk", "actor_id", "at", "patient_id"
    ):
        by_actor[actor_id].append(Event(pk, at, patient_id))
    return _record_bursts(
        Kind.MANY_PATIENTS,
        by_actor,
        since=since,
        span=timedelta(minutes=settings.AUDIT_ALERT_PATIENTS_MINUTES),
        enough=lambda group: _distinct(group) >= threshold,
        about=lambda actor_id: {"subject": f"user:{actor_id}", "actor_id": actor_id},
    )


def off_hours_reads(*, since: datetime) -> list[Finding]:
    """Staff reads outside working hours: one alert per staff member and
    off-hours stretch (an evening and night, a day off)."""
    hours = working_hours()
    if hours is None:
        return []
    grouped: dict[tuple[int, datetime, datetime], list[int]] = defaultdict(list)
    for pk, actor_id, at in _staff_reads(since).values_list("pk", "actor_id", "at"):
        if not hours.is_working(at):
            grouped[(actor_id, *hours.off_hours_around(at))].append(pk)
    return [
        Finding(Kind.OFF_HOURS, f"user:{actor_id}", start, end, tuple(ids), actor_id=actor_id)
        for (actor_id, start, end), ids in grouped.items()
    ]


def failed_logins(*, since: datetime) -> list[Finding]:
    """AUDIT_ALERT_FAILED_LOGINS failed logins to at least
    AUDIT_ALERT_FAILED_LOGIN_ACCOUNTS different accounts from one address
    within AUDIT_ALERT_FAILED_LOGIN_MINUTES."""
    failures, accounts = (
        settings.AUDIT_ALERT_FAILED_LOGINS,
        settings.AUDIT_ALERT_FAILED_LOGIN_ACCOUNTS,
    )
    by_ip: dict[str, list[Event]] = defaultdict(list)
    rows = AuditRecord.objects.filter(
        at__gte=since, action=AuditRecord.Action.LOGIN_FAILED, ip__isnull=False
    ).values_list("pk", "ip", "at", "object_id")
    for pk, ip, at, account in rows:
        by_ip[ip].append(Event(pk, at, account))
    return _record_bursts(
        Kind.FAILED_LOGINS,
        by_ip,
        since=since,
        span=timedelta(minutes=settings.AUDIT_ALERT_FAILED_LOGIN_MINUTES),
        enough=lambda group: len(group) >= failures and _distinct(group) >= accounts,
        about=lambda ip: {"subject": f"ip:{ip}", "ip": ip},
    )


def sms_burst(*, since: datetime) -> list[Finding]:
    """AUDIT_ALERT_SMS_PER_HOUR SMS (of any purpose) requested within an hour."""
    threshold = settings.AUDIT_ALERT_SMS_PER_HOUR
    events = [
        Event(pk, at)
        for pk, at in SmsDelivery.objects.filter(created_at__gte=since).values_list(
            "pk", "created_at"
        )
    ]
    return [
        Finding(Kind.SMS_BURST, "sms", w.start, w.end, sms_ids=tuple(e.id for e in w.events))
        for w in bursts(
            events,
            span=timedelta(hours=1),
            enough=lambda group: len(group) >= threshold,
            known=_known(Kind.SMS_BURST, since)["sms"],
        )
    ]


DETECTORS = (many_patients, off_hours_reads, failed_logins, sms_burst)


def lookback() -> timedelta:
    """How far back a run reads: twice the longest window, so a window that
    began before the last run is still seen whole."""
    longest = max(
        settings.AUDIT_ALERT_PATIENTS_MINUTES, settings.AUDIT_ALERT_FAILED_LOGIN_MINUTES, 60
    )
    return timedelta(minutes=2 * longest)


def detect(*, now: datetime) -> list[Finding]:
    since = now - lookback()
    return [finding for detector in DETECTORS for finding in detector(since=since)]
