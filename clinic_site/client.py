"""The client's address, for throttles, lockouts, audit records and consents.

The one place that decides it. REMOTE_ADDR is the peer that connected; only
when that peer is one of the configured trusted proxies (TRUSTED_PROXIES:
addresses or networks, e.g. the nginx in front) is X-Forwarded-For read, from
the right: the first address that is not itself a trusted proxy is the
client. Anyone else's X-Forwarded-For is ignored, so a client can neither
hide behind a new header per request nor get another address throttled.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=1)
def _trusted(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())
    except ValueError as error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {error}") from error


@receiver(setting_changed)
def _forget_trusted(*, setting: str, **_kwargs: object) -> None:
    if setting == "TRUSTED_PROXIES":
        _trusted.cache_clear()


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _is_trusted(address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def client_ip(request: HttpRequest | None) -> str:
    """The client's address ("" when there is no request or no address)."""
    if request is None:
        return ""
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return ""
    networks = _trusted(tuple(settings.TRUSTED_PROXIES))
    if not networks or not _is_trusted(peer, networks):
        return str(peer)
    chain = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(chain):
        address = _address(hop)
        if address is None:
            break  # a hop we cannot read: trust nothing before it
        if not _is_trusted(address, networks):
            return str(address)
        peer = address
    return str(peer)
