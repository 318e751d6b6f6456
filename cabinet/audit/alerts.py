"""Raising, emailing and acknowledging the audit log's anomaly alerts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Max, Min
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cabinet.accounts.models import User
from cabinet.audit.anomalies import Finding, detect
from cabinet.audit.models import AuditAlert
from integrations.sms.models import SmsDelivery

Kind = AuditAlert.Kind
# An alert not emailed (the mail server was down) is tried again for this long.
EMAIL_RETRY = timedelta(days=1)


def _when(instant: datetime | None) -> str:
    return timezone.localtime(instant).strftime("%d.%m.%Y %H:%M") if instant else "—"


def summarize(alert: AuditAlert) -> str:
    """One sentence naming who, how many and when, from the alert's records."""
    if alert.kind == Kind.SMS_BURST:
        sms = SmsDelivery.objects.filter(pk__in=alert.sms_ids).aggregate(
            first=Min("created_at"), last=Max("created_at")
        )
        return _("%(count)s SMS requested between %(first)s and %(last)s.") % {
            "count": len(alert.sms_ids),
            "first": _when(sms["first"]),
            "last": _when(sms["last"]),
        }
    facts = alert.records.aggregate(
        reads=Count("id"),
        patients=Count("patient", distinct=True),
        accounts=Count("object_id", distinct=True),
        first=Min("at"),
        last=Max("at"),
    )
    values = {
        **facts,
        "name": alert.actor_name,
        "ip": alert.ip,
        "first": _when(facts["first"]),
        "last": _when(facts["last"]),
    }
    if alert.kind == Kind.MANY_PATIENTS:
        text = _(
            "%(name)s opened the records of %(patients)s patients (%(reads)s reads) "
            "between %(first)s and %(last)s."
        )
    elif alert.kind == Kind.OFF_HOURS:
        text = _(
            "%(name)s read medical data outside working hours: %(reads)s reads "
            "between %(first)s and %(last)s."
        )
    else:
        text = _(
            "%(reads)s failed logins to %(accounts)s accounts from %(ip)s "
            "between %(first)s and %(last)s."
        )
    return text % values


def _actor_name(user_id: int | None) -> str:
    user = User.objects.filter(pk=user_id).first() if user_id else None
    return (user.get_full_name() or user.get_username()) if user else ""


def store(findings: Iterable[Finding], *, now: datetime) -> list[AuditAlert]:
    """Save the findings as alerts; returns the new ones. A finding of a window
    already alerted only adds its records to that alert."""
    new = []
    for finding in findings:
        with transaction.atomic():
            alert, created = AuditAlert.objects.get_or_create(
                kind=finding.kind,
                subject=finding.subject,
                window_start=finding.start,
                defaults={
                    "window_end": finding.end,
                    "actor_id": finding.actor_id,
                    "actor_name": _actor_name(finding.actor_id),
                    "ip": finding.ip,
                    "created_at": now,
                },
            )
            alert.records.add(*finding.record_ids)
            alert.sms_ids = sorted(set(alert.sms_ids) | set(finding.sms_ids))
            alert.summary = summarize(alert)
            alert.save(update_fields=["sms_ids", "summary"])
        if created:
            new.append(alert)
    return new


def alert_url(alert: AuditAlert) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("audit_alert", args=[alert.pk])


def email_pending(*, now: datetime) -> int:
    """Email SECURITY_OFFICER_EMAILS each alert not emailed yet; returns how many.
    With no officer set nothing is sent: the alerts wait in the admin."""
    recipients = list(settings.SECURITY_OFFICER_EMAILS)
    if not recipients:
        return 0
    pending = AuditAlert.objects.filter(
        emailed_at__isnull=True, created_at__gte=now - EMAIL_RETRY
    ).order_by("id")
    sent = 0
    for alert in pending:
        send_mail(
            _("Audit alert #%(id)s: %(kind)s") % {"id": alert.pk, "kind": alert.get_kind_display()},
            render_to_string(
                "cabinet/audit/alert_email.txt",
                {"alert": alert, "url": alert_url(alert), **evidence(alert)},
            ),
            None,
            recipients,
        )
        AuditAlert.objects.filter(pk=alert.pk).update(emailed_at=now)
        sent += 1
    return sent


def evidence(alert: AuditAlert) -> dict[str, object]:
    """What the alert rests on: its audit records and SMS (ids, times, actions)."""
    return {
        "records": alert.records.order_by("at", "id"),
        "sms": SmsDelivery.objects.filter(pk__in=alert.sms_ids)
        .order_by("created_at", "id")
        .only("pk", "created_at", "purpose", "status"),
    }


def run_detectors(*, now: datetime) -> list[AuditAlert]:
    """Detect, store the new alerts, email the officer; returns the new alerts."""
    new = store(detect(now=now), now=now)
    email_pending(now=now)
    return new


def acknowledge(*, alert: AuditAlert, user: User, note: str, now: datetime | None = None) -> None:
    alert.acknowledged_by = user
    alert.acknowledged_at = now or timezone.now()
    alert.note = note.strip()
    alert.save(update_fields=["acknowledged_by", "acknowledged_at", "note"])
