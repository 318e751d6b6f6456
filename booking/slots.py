"""Free-slot computation: a pure function of the schedule and the service.

A free slot is [start, start + duration) lying inside one work interval,
overlapping no break (when the MIS blocks breaks) and keeping `buffer` clear
of every busy interval on both sides. Slot starts lie on a grid counted
from the start of their work interval; without a grid they follow each
other back to back (step = duration).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, order=True)
class Interval:
    start: datetime
    end: datetime
    # Carried from a work interval to the slots cut from it (the branch).
    place: Hashable = None


def _subtract(segment: Interval, blocked: list[Interval]) -> list[tuple[datetime, datetime]]:
    """segment minus the union of blocked (sorted by start)."""
    free: list[tuple[datetime, datetime]] = []
    cursor = segment.start
    for block in blocked:
        if block.end <= cursor:
            continue
        if block.start >= segment.end:
            break
        if block.start > cursor:
            free.append((cursor, block.start))
        cursor = max(cursor, block.end)
        if cursor >= segment.end:
            break
    if cursor < segment.end:
        free.append((cursor, segment.end))
    return free


def free_slots(
    *,
    work: Iterable[Interval],
    busy: Iterable[Interval] = (),
    breaks: Iterable[Interval] = (),
    duration: timedelta,
    buffer: timedelta = timedelta(0),
    grid: timedelta | None = None,
    breaks_block: bool = True,
    not_before: datetime | None = None,
) -> list[Interval]:
    """Every free slot of `duration`, sorted by start, each start once."""
    if duration <= timedelta(0):
        raise ValueError("duration must be positive")
    if buffer < timedelta(0):
        raise ValueError("buffer must not be negative")
    step = grid or duration
    if step <= timedelta(0):
        raise ValueError("grid must be positive")

    blocked = [Interval(b.start - buffer, b.end + buffer) for b in busy]
    if breaks_block:
        blocked += [Interval(b.start, b.end) for b in breaks]
    blocked.sort()

    slots: dict[datetime, Interval] = {}
    for shift in sorted(work):
        for free_start, free_end in _subtract(shift, blocked):
            earliest = free_start if not_before is None else max(free_start, not_before)
            # First grid point at or after `earliest`, counted from the shift start.
            steps = -((shift.start - earliest) // step)
            start = shift.start + steps * step
            while start + duration <= free_end:
                slots.setdefault(start, Interval(start, start + duration, shift.place))
                start += step
    return [slots[start] for start in sorted(slots)]
