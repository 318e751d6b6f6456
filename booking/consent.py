"""The consent to the processing of personal data a booking is made with (152-FZ).

The texts are versioned documents kept by the cabinet (its consent machinery);
the cabinet registers them as the source in its AppConfig.ready. The booking
stores which version was agreed to, its text's SHA-256, when and from where.
Without a published document the built-in text below is version 0.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class ConsentText:
    kind: str
    version: int
    title: str
    text: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ConsentSource:
    current: Callable[[], ConsentText | None]
    # Whether an account has a valid signature of the current version.
    signed_by: Callable[[object], bool]


_source: ConsentSource | None = None


def register_source(source: ConsentSource) -> None:
    global _source
    _source = source


def built_in() -> ConsentText:
    return ConsentText(
        kind="personal_data",
        version=0,
        title=_("Consent to the processing of personal data"),
        text=_(
            "I agree that the clinic processes my surname, first name, phone number and the "
            "details of my appointment (doctor, service, time) to book the visit, remind me "
            "of it and tell me of changes, by automated means and without them, for as long "
            "as the appointment and the clinic's records require. I may withdraw this consent "
            "by writing to the clinic."
        ),
    )


def current_consent() -> ConsentText:
    found = _source.current() if _source is not None else None
    return found or built_in()


def signed_in_cabinet(user) -> bool:
    """The account already signed the current version (no question at booking)."""
    if _source is None or not getattr(user, "is_authenticated", False):
        return False
    return _source.signed_by(user)


@dataclass(frozen=True)
class ConsentGiven:
    """One agreement to a version of the text: stored on the booking."""

    version: int
    sha256: str
    at: datetime
    ip: str | None
    via: str  # "form": ticked at booking; "cabinet": signed in the cabinet

    @classmethod
    def to_current(cls, *, ip: str | None, via: str, now: datetime | None = None):
        text = current_consent()
        return cls(
            version=text.version, sha256=text.sha256, at=now or timezone.now(), ip=ip, via=via
        )

    @classmethod
    def stored_on(cls, record) -> ConsentGiven | None:
        """The consent an appointment or waitlist entry was made with."""
        if record.consent_version is None:
            return None
        return cls(
            version=record.consent_version,
            sha256=record.consent_sha256,
            at=record.consent_at,
            ip=record.consent_ip,
            via=record.consent_via,
        )

    def fields(self) -> dict:
        return {
            "consent_version": self.version,
            "consent_sha256": self.sha256,
            "consent_at": self.at,
            "consent_ip": self.ip,
            "consent_via": self.via,
        }
