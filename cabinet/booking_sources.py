"""What the cabinet tells booking: whom an account may book for, and the
personal-data consent it has signed (registered in CabinetConfig.ready)."""

from __future__ import annotations

from django.http import Http404

from booking import consent
from booking import notifications as booking_notifications
from booking import people as booking_people
from booking.consent import ConsentSource, ConsentText
from booking.people import Person
from cabinet.access import accessible_patients, acting_patient
from cabinet.consent.models import ConsentDocument
from cabinet.consent.services import ConsentRequired, current_documents, unsigned_documents
from cabinet.notifications.services import wants


def _person(patient, user) -> Person:
    return Person(
        key=str(patient.pk),
        last_name=patient.last_name,
        first_name=patient.first_name,
        middle_name=patient.middle_name,
        birth_date=patient.birth_date,
        mis_id=patient.mis_id,
        is_self=patient.account_id == user.pk,
    )


def people(user) -> list[Person]:

    found = [_person(p, user) for p in accessible_patients(user).order_by("birth_date", "pk")]
    found.sort(key=lambda p: not p.is_self)  # "me" first
    return found


def acting(request) -> Person | None:
    """The person the cabinet acts for; None when it cannot open anyone's
    record (not linked, consents unsigned): the account's own bookings show."""

    try:
        return _person(acting_patient(request), request.user)
    except (Http404, ConsentRequired):
        return None


def _current_document():

    return next(
        (d for d in current_documents() if d.kind == ConsentDocument.Kind.PERSONAL_DATA), None
    )


def current_consent() -> ConsentText | None:
    document = _current_document()
    if document is None:
        return None
    return ConsentText(
        kind=document.kind, version=document.version, title=document.title, text=document.text
    )


def signed_by(user) -> bool:

    document = _current_document()
    return document is not None and document not in unsigned_documents(user)


def register() -> None:
    booking_people.register_source(people, acting=acting)
    booking_notifications.register_preferences(wants)
    consent.register_source(ConsentSource(current=current_consent, signed_by=signed_by))
