"""Trusted channels: servers that call the API on behalf of many people.

A bot or a mobile app's backend sends every request from one address, so a
per-address hold limit would make all its users share one allowance. A
channel configured in BOOKING_CHANNEL_KEYS sends its secret key in
`X-Channel-Key` and its own id of the person in `X-Channel-Client` (the
Telegram user id, say); the limits then count per (channel, person). A
request without a valid key is counted by its address as before.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings

from clinic_site.client import client_ip

KEY_HEADER = "X-Channel-Key"
CLIENT_HEADER = "X-Channel-Client"
MAX_CLIENT_LENGTH = 64


def channel_client(request) -> str | None:
    """ "<channel>:<client id>" when the request comes from a trusted channel
    naming its client, else None."""
    key = request.headers.get(KEY_HEADER, "")
    client = request.headers.get(CLIENT_HEADER, "").strip()
    if not key or not client or len(client) > MAX_CLIENT_LENGTH:
        return None
    for channel, secret in settings.BOOKING_CHANNEL_KEYS.items():
        if secret and secrets.compare_digest(key.encode(), str(secret).encode()):
            return f"{channel}:{client}"
    return None


def requester(request) -> str:
    """Who is asking, for scoping what a request may get back: a trusted
    channel's person, a logged-in user, else the guest's address."""
    client = channel_client(request)
    if client is not None:
        return client
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"guest:{client_ip(request)}"


def scoped_key(request, key: str | None) -> str | None:
    """The idempotency key as stored: bound to its requester, so a replay of the
    same body with the same key by anyone else is a new request and never gets
    the first answer (nor its token). Hashed: the stored key reveals neither."""
    if not key:
        return None
    return hashlib.sha256(f"{requester(request)}\x00{key}".encode()).hexdigest()
