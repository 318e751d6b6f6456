"""A schedule from the ready-made slots a system publishes (FHIR Slots, the N3 hub's tickets)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from integrations.ports import BreakInterval, BusyInterval, Schedule, WorkInterval


def schedule_from_slots(slots: Iterable[tuple[str, str, datetime, datetime, str]]) -> Schedule:
    """The port's schedule from (doctor, branch, start, end, status) slots.

    "busy" is a booked visit, "busy-unavailable" (or "break") a break, any
    other status free time; a work interval is a run of back-to-back slots of
    one doctor at one branch.
    """
    runs: dict[tuple[str, str], list[tuple[datetime, datetime, str]]] = defaultdict(list)
    for doctor_id, branch_id, start, end, status in slots:
        if doctor_id:
            runs[doctor_id, branch_id].append((start, end, status))
    work: list[WorkInterval] = []
    busy: list[BusyInterval] = []
    breaks: list[BreakInterval] = []
    for (doctor_id, branch_id), rows in runs.items():
        rows.sort()
        run_start = run_end = None
        for begins, ends, status in rows:
            if status == "busy":
                busy.append(BusyInterval(doctor_id, begins, ends))
            elif status in ("busy-unavailable", "break"):
                breaks.append(BreakInterval(doctor_id, begins, ends))
            if run_end is not None and begins <= run_end:
                run_end = max(run_end, ends)
                continue
            if run_start is not None:
                work.append(WorkInterval(doctor_id, branch_id, run_start, run_end))
            run_start, run_end = begins, ends
        if run_start is not None:
            work.append(WorkInterval(doctor_id, branch_id, run_start, run_end))
    return Schedule(work=tuple(work), busy=tuple(busy), breaks=tuple(breaks))
