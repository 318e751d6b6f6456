"""The webhook's signature: HMAC-SHA256 over `timestamp + "." + body`, and the time window."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

PREFIX = "sha256="


def signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """The X-Signature header value a lab sends with this body."""
    message = timestamp.encode("ascii") + b"." + body
    return PREFIX + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_valid(*, secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """Constant-time comparison with the expected signature."""
    try:
        expected = signature(secret=secret, timestamp=timestamp, body=body)
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(expected.encode(), header.strip().encode("utf-8", "replace"))


def sent_at(timestamp: str) -> float | None:
    """Unix seconds of the header: an integer, or ISO 8601 with an offset; None if neither."""
    try:
        return float(int(timestamp))
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(timestamp)
    except ValueError:
        return None
    return moment.timestamp() if moment.tzinfo else None


def timestamp_fresh(*, timestamp: str, now: float, window: int) -> bool:
    """Within `window` seconds of our clock, early or late (old replays are refused)."""
    sent = sent_at(timestamp)
    return sent is not None and abs(now - sent) <= window
