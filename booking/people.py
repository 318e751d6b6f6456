"""Whom a logged-in account may book for: itself and the children it is a proxy of.

Booking does not know the cabinet (a higher layer): the cabinet registers the
source of people in its AppConfig.ready. Without a source (or for a guest)
nobody is listed and the booking form asks for the patient's details.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model


@dataclass(frozen=True)
class Person:
    """Someone an account books for. `key` is stable and opaque to clients."""

    key: str
    last_name: str
    first_name: str
    middle_name: str = ""
    birth_date: date | None = None
    mis_id: str = ""
    is_self: bool = True

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)


PeopleSource = Callable[[object], list[Person]]
ActingSource = Callable[[object], "Person | None"]
_source: PeopleSource | None = None
_acting: ActingSource | None = None


def register_source(source: PeopleSource, *, acting: ActingSource | None = None) -> None:
    """`source(user)` lists the account's people; `acting(request)` is the one
    the cabinet acts for now ("me" or a child the parent switched to)."""
    global _source, _acting
    _source = source
    _acting = acting


def acting_person(request) -> Person | None:
    """Whom the cabinet shows now; None: the account itself without a record."""
    if _acting is None or not getattr(request.user, "is_authenticated", False):
        return None
    return _acting(request)


def people_of(user) -> list[Person]:
    """The account's own record first, then its children; [] for a guest."""
    if _source is None or not getattr(user, "is_authenticated", False):
        return []
    return _source(user)


def person_of(user, key: str) -> Person | None:
    return next((p for p in people_of(user) if p.key == key), None)


def person_named(user, *, last_name: str, first_name: str) -> Person | None:
    """Who of the account's people a guest booking with these names is for."""
    wanted = (last_name.strip().casefold(), first_name.strip().casefold())
    return next(
        (p for p in people_of(user) if (p.last_name.casefold(), p.first_name.casefold()) == wanted),
        None,
    )


def account_with_phone(phone: str):
    """The active account whose (SMS-verified) phone this is, or None."""
    if not phone:
        return None
    return get_user_model().objects.filter(phone=phone, is_active=True).first()


def account_of_guest(*, phone: str, last_name: str, first_name: str) -> tuple[object, str]:
    """The account a guest's booking belongs to once the guest proved the phone
    (the account whose verified phone it is, or None), and the MIS id of the
    account's person with these names ("" when none matches)."""
    owner = account_with_phone(phone)
    if owner is None:
        return None, ""
    same = person_named(owner, last_name=last_name, first_name=first_name)
    return owner, same.mis_id if same is not None else ""
