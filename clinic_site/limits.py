"""Limits on tries (codes, passwords, SMS, holds): one atomic counter each.

Every limit takes its try *before* the expensive or guessable step (hashing a
password, comparing a code, texting an SMS): the counter goes up in one
atomic cache operation (Redis INCR with EXPIRE NX, or the file cache's locked
rewrite) and the try is refused past the limit. Checking first and counting
afterwards lets every parallel request through the check before any of them
is counted: 36 parallel wrong codes passed a limit of 5 that way.

A window opens at its first try and lasts `seconds` from then, however many
tries follow; `forget` ends it (a right password or code).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache

from clinic_site.cache import count_hit


@dataclass
class LimitReached(Exception):
    """The try was refused; the window closes in `seconds_left` seconds."""

    seconds_left: int

    def __str__(self) -> str:
        return f"limit reached, {self.seconds_left} s left"


def take(key: str, *, limit: int, seconds: int) -> int:
    """Count one try in `key`'s window; LimitReached past `limit` tries.
    Returns how many tries the window holds now."""
    tries, left = count_hit(f"tries:{key}", seconds)
    if tries > limit:
        raise LimitReached(left)
    return tries


def used(key: str) -> int:
    """Tries counted in `key`'s open window (0 when none is open)."""
    return int(cache.get(f"tries:{key}", 0))


def forget(key: str) -> None:
    cache.delete(f"tries:{key}")
