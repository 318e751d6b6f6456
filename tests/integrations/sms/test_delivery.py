"""send_sms -> task -> simulator -> status callback -> the row: on PostgreSQL, over HTTP."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.urls import reverse
from django.utils import timezone

import pytest

from clinic_site.celery import app as celery_app
from integrations.ports import SmsStatus, SmsUnavailable
from integrations.sms.delivery import Attempt, apply_status_report, attempt_delivery
from integrations.sms.models import SmsDelivery
from integrations.sms.phones import InvalidPhone
from integrations.sms.services import send_sms
from integrations.sms.tasks import resend_stale_sms, retry_delay, send_sms_delivery
from tests.integrations.sms.conftest import PHONE
from tests.polling import wait_for

Status = SmsDelivery.Status
ROOT = Path(__file__).resolve().parents[3]
TEXT = "Напоминание: приём завтра в 10:00"


@pytest.fixture
def eager_celery():
    """Tasks enqueued on commit run at once, in this process."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def callback_url(live_server, simulator, gateway_name):
    """The simulator reports to our callback view on the live server."""
    url = f"{live_server.url}/integrations/sms/{gateway_name}/status?key=callback-key"
    simulator.set_knobs(callback_url=url)
    return url


def queued(django_capture_on_commit_callbacks, text: str = TEXT) -> SmsDelivery:
    """A delivery written by send_sms whose task has not run."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        delivery = send_sms(to=PHONE, text=text, purpose="reminder")
    assert len(callbacks) == 1
    return delivery


def reload(delivery: SmsDelivery) -> SmsDelivery:
    delivery.refresh_from_db()
    return delivery


# --- send_sms ------------------------------------------------------------------


@pytest.mark.django_db
def test_send_sms_writes_a_queued_row_and_enqueues_after_commit(
    sms_settings, django_capture_on_commit_callbacks
):
    delivery = queued(django_capture_on_commit_callbacks)
    assert (delivery.phone, delivery.text, delivery.purpose) == (PHONE, TEXT, "reminder")
    assert delivery.status == Status.QUEUED
    assert delivery.gateway == sms_settings.SMS_GATEWAY
    assert delivery.attempts == 0


@pytest.mark.django_db
def test_send_sms_refuses_a_number_not_in_e164(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(InvalidPhone, match=r"'8 900 123-45-67' is not .* E\.164"),
    ):
        send_sms(to="8 900 123-45-67", text=TEXT, purpose="reminder")
    with pytest.raises(ValueError, match="needs a text"):
        send_sms(to=PHONE, text="  ", purpose="reminder")
    with pytest.raises(ValueError, match="purpose"):
        send_sms(to=PHONE, text=TEXT, purpose="x" * 41)
    assert callbacks == []
    assert not SmsDelivery.objects.exists()


# --- the task ------------------------------------------------------------------


@pytest.mark.django_db
def test_task_sends_once_however_often_it_runs(
    sms_settings, simulator, django_capture_on_commit_callbacks
):
    delivery = queued(django_capture_on_commit_callbacks)
    assert send_sms_delivery.apply(args=[delivery.pk]).get() == "sent"
    assert send_sms_delivery.apply(args=[delivery.pk]).get() == "already done"
    assert len(simulator.messages) == 1
    delivery = reload(delivery)
    assert delivery.status == Status.SENT
    assert delivery.attempts == 1
    assert delivery.gateway_message_id == simulator.messages[0].id
    assert delivery.sent_at is not None


@pytest.mark.django_db
def test_refusal_fails_the_row_without_retrying(
    sms_settings, simulator, gateway_name, django_capture_on_commit_callbacks
):
    simulator.set_knobs(error_code={"smsru": 201, "smsc": 3}[gateway_name])
    delivery = queued(django_capture_on_commit_callbacks)
    result = send_sms_delivery.apply(args=[delivery.pk])
    assert result.state == "SUCCESS"
    assert result.get() == "failed"
    delivery = reload(delivery)
    assert delivery.status == Status.FAILED
    assert delivery.last_error.startswith(f"[{simulator.knobs.error_code}]")
    assert delivery.attempts == 1
    assert simulator.messages == []


@pytest.mark.django_db
def test_outage_retries_with_backoff_then_gives_up(
    sms_settings, simulator, django_capture_on_commit_callbacks
):
    # Run eagerly, Celery makes the retries at once, in this process.
    sms_settings.SMS_MAX_ATTEMPTS = 3
    simulator.set_knobs(outage="503")
    delivery = queued(django_capture_on_commit_callbacks)
    assert send_sms_delivery.apply(args=[delivery.pk]).get() == "failed"
    delivery = reload(delivery)
    assert (delivery.status, delivery.attempts) == (Status.FAILED, 3)
    assert "[503]" in delivery.last_error
    assert delivery.finished_at is not None


def test_retry_delays_grow_with_jitter():
    delays = [[retry_delay(n) for n in range(8)] for _ in range(50)]
    assert all(0 <= d <= 300 for row in delays for d in row)
    assert max(row[0] for row in delays) <= 5
    assert max(row[6] for row in delays) > 5  # grows
    assert len({row[6] for row in delays}) > 1  # jitter


@pytest.mark.django_db
def test_an_unreachable_gateway_puts_the_row_back_in_the_queue(
    sms_settings, simulator, django_capture_on_commit_callbacks
):
    simulator.set_knobs(outage="refused")
    delivery = queued(django_capture_on_commit_callbacks)
    with pytest.raises(SmsUnavailable):
        attempt_delivery(delivery_id=delivery.pk)
    delivery = reload(delivery)
    assert (delivery.status, delivery.attempts) == (Status.QUEUED, 1)
    simulator.set_knobs(outage="")
    assert send_sms_delivery.apply(args=[delivery.pk]).get() == "sent"
    assert len(simulator.messages) == 1
    assert reload(delivery).attempts == 2


@pytest.mark.django_db
def test_a_timed_out_send_that_got_through_is_not_sent_again(
    sms_settings, simulator, django_capture_on_commit_callbacks
):
    """The gateway took the message but its answer came too late; the retry
    meets the gateway's duplicate refusal and counts the message as sent."""
    sms_settings.SMS_TIMEOUT = 0.2
    simulator.set_knobs(latency=0.5)
    delivery = queued(django_capture_on_commit_callbacks)
    with pytest.raises(SmsUnavailable, match="no answer"):
        attempt_delivery(delivery_id=delivery.pk)
    wait_for(lambda: simulator.messages, what="the late acceptance")
    simulator.set_knobs(latency=0)
    assert send_sms_delivery.apply(args=[delivery.pk]).get() == "sent"
    assert len(simulator.messages) == 1
    assert reload(delivery).status == Status.SENT


@pytest.mark.django_db
def test_a_message_left_sending_by_a_dead_worker_is_taken_over(
    sms_settings, simulator, django_capture_on_commit_callbacks
):
    delivery = queued(django_capture_on_commit_callbacks)
    SmsDelivery.objects.filter(pk=delivery.pk).update(
        status=Status.SENDING, sending_since=timezone.now()
    )
    assert attempt_delivery(delivery_id=delivery.pk) is Attempt.BUSY
    SmsDelivery.objects.filter(pk=delivery.pk).update(
        sending_since=timezone.now() - timedelta(minutes=5)
    )
    assert attempt_delivery(delivery_id=delivery.pk) is Attempt.SENT
    assert len(simulator.messages) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_at_once_send_one_sms(sms_settings, simulator):
    simulator.set_knobs(latency=0.3)
    delivery = SmsDelivery.objects.create(
        phone=PHONE, text=TEXT, purpose="reminder", gateway=sms_settings.SMS_GATEWAY
    )
    outcomes: list[Attempt] = []
    start = threading.Barrier(2)

    def worker() -> None:
        try:
            start.wait()
            outcomes.append(attempt_delivery(delivery_id=delivery.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(o.value for o in outcomes) == ["busy", "sent"]
    assert len(simulator.messages) == 1
    assert reload(delivery).attempts == 1


# --- the whole path ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_send_sms_until_the_gateway_reports_delivery(
    sms_settings, simulator, callback_url, eager_celery
):
    delivery = send_sms(to=PHONE, text=TEXT, purpose="login_code")
    delivery = wait_for(
        lambda: (d := reload(delivery)).status == Status.DELIVERED and d, what="delivered"
    )
    assert delivery.finished_at is not None
    assert len(simulator.messages) == 1
    # The simulator logs the callback once our answer is back: wait for it.
    [callback] = wait_for(lambda: simulator.callbacks, what="the callback log")
    assert callback["accepted"]
    assert callback["body"] == ("100" if sms_settings.SMS_GATEWAY == "smsru" else "OK")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_undelivered_report_fails_the_row(sms_settings, simulator, callback_url, eager_celery):
    simulator.set_knobs(delivery="failed")
    delivery = send_sms(to=PHONE, text=TEXT, purpose="reminder")
    delivery = wait_for(
        lambda: (d := reload(delivery)).status == Status.FAILED and d, what="failed"
    )
    assert delivery.last_error.startswith(sms_settings.SMS_GATEWAY)


@pytest.mark.worker
@pytest.mark.parametrize("gateway_name", ["smsru"])
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_on_the_sms_queue_delivers(
    sms_settings, simulator, callback_url, celery_worker
):
    log = celery_worker(
        "sms",
        env={"SMS_GATEWAY": "smsru", "SMS_API_URL": simulator.url, "SMS_API_KEY": "simulator-key"},
    )
    # Send once the worker listens (a message sent earlier would wait in the
    # queue for a worker still booting: slower, and no more telling).
    wait_for(lambda: " ready." in log.read_text(), 30, "the worker")
    delivery = send_sms(to=PHONE, text=TEXT, purpose="login_code")
    try:
        wait_for(lambda: reload(delivery).status == Status.DELIVERED, 30, "delivery")
    except BaseException:
        print(log.read_text()[-4000:])  # noqa: T201 - the worker's side of a failure
        raise
    assert len(simulator.messages) == 1
    assert "integrations.sms.tasks.send_sms" in log.read_text()


# --- the callback view -------------------------------------------------------------


def sent_row(gateway: str, message_id: str) -> SmsDelivery:
    return SmsDelivery.objects.create(
        phone=PHONE,
        text=TEXT,
        purpose="reminder",
        gateway=gateway,
        gateway_message_id=message_id,
        status=Status.SENT,
        attempts=1,
    )


def smsru_report(message_id: str, code: int) -> dict[str, str]:
    return {"data[0]": f"sms_status\n{message_id}\n{code}\n1767200000"}


@pytest.mark.django_db
def test_callback_is_idempotent_and_never_goes_back(client, settings):
    settings.SMS_CALLBACK_SECRET = "k"
    row = sent_row("smsru", "000000-1")
    url = reverse("integrations:sms-status", args=["smsru"]) + "?key=k"
    for _ in range(2):
        answer = client.post(url, smsru_report("000000-1", 103))
        assert (answer.status_code, answer.content) == (200, b"100")
        assert reload(row).status == Status.DELIVERED
    finished = row.finished_at
    # A late "on its way" report changes nothing.
    assert client.post(url, smsru_report("000000-1", 102)).content == b"100"
    row = reload(row)
    assert (row.status, row.finished_at) == (Status.DELIVERED, finished)


@pytest.mark.django_db
def test_callback_key_unknown_messages_and_garbage(client, settings):
    settings.SMS_CALLBACK_SECRET = "k"
    sent_row("smsc", "7:79001234567")
    base = reverse("integrations:sms-status", args=["smsc"])
    report = {"id": "7", "phone": "79001234567", "status": "1", "err": "0"}
    assert client.post(base, report).status_code == 403
    assert client.post(base + "?key=wrong", report).status_code == 403
    # Not (yet) ours: anything but the expected answer makes the gateway repeat it.
    unknown = client.post(base + "?key=k", {**report, "id": "8"})
    assert unknown.status_code == 404
    assert client.post(base + "?key=k", {"id": "7"}).status_code == 400
    assert client.post("/integrations/sms/twilio/status?key=k", report).status_code == 404
    assert (
        client.get(base + "?key=k&" + "&".join(f"{k}={v}" for k, v in report.items())).content
        == b"OK"
    )
    assert SmsDelivery.objects.get().status == Status.DELIVERED


@pytest.mark.django_db
def test_production_refuses_callbacks_without_a_configured_key(client, settings):
    sent_row("smsru", "000000-1")  # before: production would want CLINIC_FIELD_KEYS
    settings.PRODUCTION = True
    settings.SMS_CALLBACK_SECRET = ""
    url = reverse("integrations:sms-status", args=["smsru"])
    assert client.post(url, smsru_report("000000-1", 103)).status_code == 403


@pytest.mark.django_db
def test_reports_apply_to_the_gateway_that_sent_the_message():
    sent_row("smsru", "42")
    assert not apply_status_report(
        report=SmsStatus(gateway="smsc", message_id="42", status="delivered")
    )
    assert SmsDelivery.objects.get().status == Status.SENT


# --- the sweeper -------------------------------------------------------------------


@pytest.mark.django_db
def test_stale_messages_are_enqueued_again(sms_settings, simulator, eager_celery):
    fresh, stale = (
        SmsDelivery.objects.create(
            phone=PHONE, text=f"{TEXT} {n}", purpose="reminder", gateway=sms_settings.SMS_GATEWAY
        )
        for n in range(2)
    )
    SmsDelivery.objects.filter(pk=stale.pk).update(
        updated_at=timezone.now() - timedelta(minutes=10)
    )
    assert resend_stale_sms.apply().get() == 1
    assert reload(stale).status == Status.SENT
    assert reload(fresh).status == Status.QUEUED
    assert [m.text for m in simulator.messages] == [f"{TEXT} 1"]


def test_beat_runs_the_sweeper_and_the_worker_serves_the_sms_queue():
    celery_app.loader.import_default_modules()
    tasks = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    assert "integrations.sms.tasks.resend_stale_sms" in tasks
    assert "sms" in settings.WORKER_QUEUES
