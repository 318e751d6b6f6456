"""The outbox delivers a message once: never again after it was delivered, and
never by two workers at once (the row is locked while its handler runs)."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.db import connections, transaction
from django.utils import timezone

import pytest

from integrations import outbox
from integrations.models import OutboxMessage

TOPIC = "test.counted"


@pytest.fixture
def calls(monkeypatch) -> list[int]:
    """A handler for TOPIC that records each message it is given."""
    seen: list[int] = []
    monkeypatch.setitem(outbox._handlers, TOPIC, outbox.Handler(lambda m: seen.append(m.pk)))
    return seen


def enqueued(key: str = "counted-1") -> OutboxMessage:
    with transaction.atomic():
        return outbox.enqueue(topic=TOPIC, key=key, payload={}, to_worker=False)


@pytest.mark.django_db
def test_a_delivered_message_is_not_delivered_again(calls):
    message = enqueued()
    assert outbox.deliver(message.pk) == "delivered"
    message.refresh_from_db()
    delivered_at = message.delivered_at
    assert outbox.deliver(message.pk) == "delivered"
    assert calls == [message.pk]  # the handler ran once
    message.refresh_from_db()
    assert (message.attempts, message.delivered_at) == (1, delivered_at)


@pytest.mark.django_db
def test_a_delivery_delivers_only_its_own_message(calls):
    first, second = enqueued("counted-1"), enqueued("counted-2")
    assert outbox.deliver(second.pk) == "delivered"
    assert calls == [second.pk]
    first.refresh_from_db()
    assert (first.status, first.attempts) == ("pending", 0)
    assert outbox.deliver(10**9) == "missing"


@pytest.mark.parametrize(
    ("attempts", "low", "high"), [(1, 2.5, 5), (2, 5, 10), (4, 20, 40), (30, 300, 600)]
)
def test_backoff_doubles_with_full_jitter_up_to_ten_minutes(attempts, low, high):
    waits = [outbox.backoff(attempts) for _ in range(200)]
    assert all(timedelta(seconds=low) <= wait <= timedelta(seconds=high) for wait in waits)
    assert len(set(waits)) > 1  # jittered


@pytest.mark.django_db
def test_a_retry_waits_a_failure_is_final_and_a_delivery_clears_the_error(monkeypatch):
    outcomes = [outbox.Retry("MIS busy"), None]
    failures: list[int] = []

    def deliver(message):
        outcome = outcomes.pop(0)
        if outcome is not None:
            raise outcome

    monkeypatch.setitem(outbox._handlers, TOPIC, outbox.Handler(deliver, failures.append))
    message = enqueued()
    assert outbox.deliver(message.pk) == "pending"
    message.refresh_from_db()
    assert (message.attempts, message.last_error) == (1, "Retry: MIS busy")
    assert message.next_attempt_at > timezone.now() and message.delivered_at is None
    assert outbox.deliver(message.pk) == "delivered"
    message.refresh_from_db()
    assert (message.attempts, message.last_error) == (2, "")
    assert message.delivered_at is not None and failures == []

    def refuse(message):
        raise outbox.Failed("unknown doctor")

    monkeypatch.setitem(
        outbox._handlers, TOPIC, outbox.Handler(refuse, lambda m: failures.append(m.pk))
    )
    refused = enqueued("counted-2")
    assert outbox.deliver(refused.pk) == "failed"
    refused.refresh_from_db()
    assert (refused.status, refused.last_error, refused.attempts) == ("failed", "unknown doctor", 1)
    assert failures == [refused.pk]


@pytest.mark.django_db
def test_a_failed_message_is_not_delivered_again(calls):
    message = enqueued()
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxMessage.Status.FAILED)
    assert outbox.deliver(message.pk) == "failed"
    assert calls == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_second_worker_skips_a_message_being_delivered(monkeypatch):
    """While one worker's handler runs, another worker's delivery of the same
    message neither runs the handler nor waits for the first (SKIP LOCKED)."""
    calls: list[int] = []
    inside, release = threading.Event(), threading.Event()

    def slow(message):
        calls.append(message.pk)
        if len(calls) == 1:
            inside.set()
            release.wait(timeout=30)

    monkeypatch.setitem(outbox._handlers, TOPIC, outbox.Handler(slow))
    message = enqueued()

    def worker() -> str:
        try:
            return outbox.deliver(message.pk)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        try:
            first = pool.submit(worker)
            assert inside.wait(timeout=30), "the first worker never reached the handler"
            second = pool.submit(worker)
            assert second.result(timeout=10) == "pending"  # skipped, still the first's
            assert calls == [message.pk]
        finally:
            release.set()
        assert first.result(timeout=30) == "delivered"
    assert calls == [message.pk]
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("delivered", 1)
