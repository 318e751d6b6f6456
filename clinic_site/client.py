"""The client's address, for throttles, lockouts, audit records and consents."""

from __future__ import annotations

from django.http import HttpRequest


def client_ip(request: HttpRequest | None) -> str:
    """The client's address (REMOTE_ADDR: the proxy in front sets it)."""
    if request is None:
        return ""
    return request.META.get("REMOTE_ADDR", "")
