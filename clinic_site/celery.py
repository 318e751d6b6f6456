"""The Celery application: configured from Django settings (CELERY_*)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic_site.settings")

app = Celery("clinic_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _schedule_periodic_tasks(sender: Celery, **_kwargs: object) -> None:
    from django.conf import settings

    sender.add_periodic_task(
        float(settings.MIS_SYNC_INTERVAL),
        sender.signature("integrations.mis.tasks.sync_mis"),
        name="sync the MIS catalog and schedule",
    )
    sender.add_periodic_task(
        30.0, sender.signature("integrations.tasks.deliver_due_outbox"), name="outbox sweeper"
    )
    sender.add_periodic_task(
        60.0, sender.signature("booking.tasks.expire_holds"), name="expire stale holds"
    )
    sender.add_periodic_task(
        300.0, sender.signature("booking.tasks.send_reminders"), name="visit reminders"
    )
    sender.add_periodic_task(
        300.0,
        sender.signature("integrations.sms.tasks.resend_stale_sms"),
        name="enqueue again SMS the broker lost or a dead worker left",
    )
    sender.add_periodic_task(
        300.0,
        sender.signature("integrations.lis.tasks.process_stale_lab_events"),
        name="process LIS webhook events whose task was lost",
    )
    sender.add_periodic_task(
        float(settings.AUDIT_ALERT_INTERVAL),
        sender.signature("cabinet.audit.tasks.detect_anomalies"),
        name="audit log anomaly alerts",
    )
    # One entry per lab without webhooks (LIS_POLL_SOURCES).
    for lab in sorted(settings.LIS_POLL_SOURCES):
        sender.add_periodic_task(
            float(settings.LIS_POLL_INTERVAL),
            sender.signature("integrations.lis.tasks.poll_lab", args=(lab,)),
            name=f"poll LIS {lab}",
        )
