"""The webhook's signature: HMAC-SHA256 over `timestamp + "." + body`, and the time window."""

from __future__ import annotations

import hashlib
import hmac

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


def timestamp_fresh(*, timestamp: str, now: float, window: int) -> bool:
    """Unix seconds within `window` of our clock, early or late (replays are refused)."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    return abs(now - sent) <= window
