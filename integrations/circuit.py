"""A circuit breaker per external system, shared by every process through the cache.

Closed: calls go through; transport failures are counted for `window`
seconds from the first one.
Open (after `failures` in one window): calls fail at once with CircuitOpen,
nothing reaches the system, for `cooldown` seconds. Half-open (after the
cooldown): one trial call goes through; success closes the circuit, failure
opens it again. Business answers (a taken slot, a refused number) are not
failures: only MisUnavailable / SmsUnavailable are.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache

from integrations.ports import MisAdapter, MisUnavailable, SmsUnavailable

T = TypeVar("T")
TRANSPORT_FAILURES = (MisUnavailable, SmsUnavailable)


def _stats_key(system: str, hour: int, kind: str) -> str:
    return f"calls:{system}:{hour}:{kind}"


def record_call(system: str, *, failed: bool) -> None:
    """Count calls and transport failures per system and hour (for the status page)."""
    hour = int(time.time() // 3600)
    for kind in ("all", "failed") if failed else ("all",):
        key = _stats_key(system, hour, kind)
        cache.add(key, 0, timeout=3 * 3600)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=3 * 3600)


def call_stats(system: str) -> tuple[int, int]:
    """(calls, failed calls) in the current and the previous hour."""
    hour = int(time.time() // 3600)
    keys = [_stats_key(system, h, k) for h in (hour, hour - 1) for k in ("all", "failed")]
    values = cache.get_many(keys)
    calls = sum(values.get(k, 0) for k in keys if k.endswith(":all"))
    failed = sum(values.get(k, 0) for k in keys if k.endswith(":failed"))
    return calls, failed


class CircuitOpen(MisUnavailable):
    """The system failed too often lately: not even tried (circuit open)."""


class CircuitBreaker:
    def __init__(self, system: str, *, failures: int, window: int, cooldown: int):
        self.system = system
        self.failures = failures
        self.window = window
        self.cooldown = cooldown

    @classmethod
    def for_system(cls, system: str) -> CircuitBreaker:
        return cls(
            system,
            failures=settings.CIRCUIT_FAILURES,
            window=settings.CIRCUIT_WINDOW,
            cooldown=settings.CIRCUIT_COOLDOWN,
        )

    def _keys(self) -> tuple[str, str, str]:
        base = f"circuit:{self.system}"
        # The failure count lives `window` seconds from the first failure.
        return f"{base}:open", f"{base}:trial", f"{base}:failures"

    @property
    def state(self) -> str:
        open_key, trial_key, _failures = self._keys()
        if cache.get(open_key):
            return "open"
        if cache.get(f"circuit:{self.system}:tripped"):
            return "half-open"
        return "closed"

    def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        open_key, trial_key, failures_key = self._keys()
        tripped_key = f"circuit:{self.system}:tripped"
        if cache.get(open_key):
            raise CircuitOpen(f"{self.system}: circuit open")
        half_open = bool(cache.get(tripped_key))
        if half_open and not cache.add(trial_key, 1, timeout=self.cooldown):
            raise CircuitOpen(f"{self.system}: circuit half-open, a trial call is running")
        try:
            result = function(*args, **kwargs)
        except TRANSPORT_FAILURES:
            record_call(self.system, failed=True)
            if half_open:
                self._trip(open_key, tripped_key, trial_key)
            else:
                cache.add(failures_key, 0, timeout=self.window)
                try:
                    count = cache.incr(failures_key)
                except ValueError:
                    count = 1
                if count >= self.failures:
                    self._trip(open_key, tripped_key, trial_key)
            raise
        record_call(self.system, failed=False)
        if half_open:
            cache.delete_many([tripped_key, trial_key, failures_key])
        return result

    def _trip(self, open_key: str, tripped_key: str, trial_key: str) -> None:
        cache.set(open_key, 1, timeout=self.cooldown)
        cache.set(tripped_key, 1, timeout=None)
        cache.delete(trial_key)


class GuardedMis:
    """A MIS adapter whose every call goes through the system's circuit breaker."""

    CALLS = (
        "ping",
        "branches",
        "specialties",
        "services",
        "doctors",
        "schedule",
        "book",
        "cancel",
        "find_patients",
        "patient_record",
        "lab_tests",
        "checkup_programs",
    )

    def __init__(self, adapter: MisAdapter):
        self._adapter = adapter
        self.breaker = CircuitBreaker.for_system(f"mis-{adapter.name}")

    @property
    def unwrapped(self) -> MisAdapter:
        return self._adapter

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._adapter, name)
        if name in self.CALLS:
            return lambda *args, **kwargs: self.breaker.call(attribute, *args, **kwargs)
        return attribute
