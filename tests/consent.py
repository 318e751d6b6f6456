"""A consent to the processing of personal data, for tests that confirm bookings."""

from datetime import UTC, datetime

from booking.consent import ConsentGiven

CONSENT = ConsentGiven(
    version=0, sha256="0" * 64, at=datetime(2026, 1, 1, tzinfo=UTC), ip="127.0.0.1", via="form"
)
