"""The «book a blood draw» section of service, lab test and check-up pages: the
procedure rooms, the one the visitor chose and its next free times."""

from __future__ import annotations

from django.http import HttpRequest

from booking.selectors import next_free_slots, rooms
from catalog.models import Service


def sample_collection(request: HttpRequest, *, service: Service | None = None) -> dict:
    """Context of the section: the procedure rooms (one a branch; those offering
    `service` when given), the one chosen with ?branch=<external id> (else the
    first) and its next free times (of `service`, else the room's own)."""
    choices = list(rooms())
    if service is not None:
        choices = [r for r in choices if service in r.services.all()]
    if not choices:
        return {"rooms": []}
    wanted = request.GET.get("branch", "")
    room = next(
        (r for r in choices if any(b.external_id == wanted for b in r.branches.all())),
        choices[0],
    )
    return {
        "rooms": choices,
        "doctor": room,
        "free_slots": next_free_slots(doctor=room, service=service),
    }
