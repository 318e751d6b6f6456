"""The outbox: writes to external systems that survive their outages.

`enqueue()` records a message inside the caller's transaction; after the
commit a worker (the Celery task of integrations.tasks, wired in by
IntegrationsConfig.ready()) delivers it through the handler registered for
its topic. A handler raising `Retry` (or MisUnavailable / SmsUnavailable) is
tried again later with exponential backoff and jitter; after MAX_ATTEMPTS,
or when it raises `Failed`, the message is failed and the handler's
`on_failure` lets the owner tell the patient. Apps register handlers in
their AppConfig.ready(), so this module knows none of them.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from integrations.models import OutboxMessage
from integrations.ports import MisUnavailable, SmsUnavailable

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
BACKOFF_BASE_SECONDS = 5
BACKOFF_MAX_SECONDS = 600


class Retry(Exception):
    """Transient: deliver this message again later."""


class Failed(Exception):
    """Permanent: the external system will never accept this message."""


TRANSIENT = (Retry, MisUnavailable, SmsUnavailable)


@dataclass(frozen=True)
class Handler:
    deliver: Callable[[OutboxMessage], None]
    on_failure: Callable[[OutboxMessage], None] | None = None


_handlers: dict[str, Handler] = {}


def register(
    topic: str,
    deliver: Callable[[OutboxMessage], None],
    on_failure: Callable[[OutboxMessage], None] | None = None,
) -> None:
    _handlers[topic] = Handler(deliver, on_failure)


def enqueue(*, topic: str, key: str, payload: dict, to_worker: bool = True) -> OutboxMessage:
    """Record a message in the current transaction; delivery starts after commit.

    to_worker=False: the caller delivers it itself right after the commit and
    calls schedule() only if that did not work (the beat's sweeper is the
    safety net should the caller die in between). A key enqueued before keeps
    its first message; the answer carries that message's id.
    """
    if topic not in _handlers:
        raise ValueError(f"no outbox handler for {topic!r}")
    # One statement, no savepoint: INSERT .. ON CONFLICT (key) DO UPDATE SET
    # key = key RETURNING id -- a key enqueued before keeps its first message.
    (message,) = OutboxMessage.objects.bulk_create(
        [OutboxMessage(key=key, topic=topic, payload=payload, next_attempt_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=["key"],
    )
    if message.pk is None:  # a database that cannot return it
        message = OutboxMessage.objects.get(key=key)
    if to_worker:
        transaction.on_commit(lambda: schedule(message.pk))
    return message


_worker: Callable[[int], object] | None = None


def set_worker(hand_over: Callable[[int], object]) -> None:
    """What hands a message id to a worker: the delivery task's `delay`."""
    global _worker
    _worker = hand_over


def schedule(message_id: int) -> None:
    """Hand a message to a worker (a broker outage leaves it to the sweeper)."""
    if _worker is None:
        raise ImproperlyConfigured("The outbox has no worker (IntegrationsConfig.ready()).")
    try:
        _worker(message_id)
    except Exception:  # noqa: BLE001 - a broker outage must not fail the request
        logger.warning("broker unreachable; outbox message %s waits for the sweeper", message_id)


def backoff(attempts: int) -> timedelta:
    """Exponential backoff with full jitter, capped."""
    ceiling = min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))  # noqa: S311 - not crypto


def deliver(message_id: int) -> str:
    """Try one delivery; returns the message's status afterwards.

    The row is locked while its handler runs (SKIP LOCKED): two workers never
    deliver the same message at once, and a delivered message is never
    delivered again.
    """
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=OutboxMessage.Status.PENDING)
            .first()
        )
        if message is None:
            current = OutboxMessage.objects.filter(pk=message_id).values_list("status", flat=True)
            return current.first() or "missing"
        handler = _handlers[message.topic]
        message.attempts += 1
        try:
            handler.deliver(message)
        except TRANSIENT as error:
            message.last_error = f"{error.__class__.__name__}: {error}"[:300]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutboxMessage.Status.FAILED
            else:
                message.next_attempt_at = timezone.now() + backoff(message.attempts)
        except Failed as error:
            message.last_error = str(error)[:300]
            message.status = OutboxMessage.Status.FAILED
        else:
            message.status = OutboxMessage.Status.DELIVERED
            message.delivered_at = timezone.now()
            message.last_error = ""
        message.save()
        if message.status == OutboxMessage.Status.FAILED and handler.on_failure:
            handler.on_failure(message)
    return message.status


def due_messages(limit: int = 100) -> list[int]:
    return list(
        OutboxMessage.objects.filter(
            status=OutboxMessage.Status.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
