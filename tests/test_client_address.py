"""One client address for throttles, lockouts, audit records and consents:
X-Forwarded-For is believed only from the configured trusted proxies."""

from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

import pytest

from clinic_site.client import client_ip


def request(peer: str, forwarded: str | None = None):
    headers = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_without_trusted_proxies_the_peer_is_the_client_whatever_it_claims(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request("203.0.113.7")) == "203.0.113.7"
    assert client_ip(request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"
    assert client_ip(None) == ""


def test_a_client_talking_directly_cannot_pass_for_another(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_behind_a_trusted_proxy_the_forwarded_client_counts(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    assert client_ip(request("127.0.0.1", "198.51.100.1")) == "198.51.100.1"
    # What the client itself wrote before the proxies' own hops is not believed:
    # the right-most address that is not a trusted proxy is the client.
    assert client_ip(request("127.0.0.1", "6.6.6.6, 198.51.100.1, 10.1.2.3")) == "198.51.100.1"
    # Only proxies in the chain: the left-most of them is as far as it goes.
    assert client_ip(request("127.0.0.1", "10.0.0.5")) == "10.0.0.5"
    # No header: the proxy itself.
    assert client_ip(request("127.0.0.1")) == "127.0.0.1"


def test_an_unreadable_hop_stops_the_walk(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(request("127.0.0.1", "198.51.100.1, not-an-address")) == "127.0.0.1"
    assert client_ip(request("127.0.0.1", "")) == "127.0.0.1"


def test_ipv6_and_a_bad_peer(settings):
    settings.TRUSTED_PROXIES = ["::1"]
    assert client_ip(request("::1", "2001:db8::5")) == "2001:db8::5"
    assert client_ip(request("garbage")) == ""


def test_a_wrong_setting_says_so(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/33"]
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        client_ip(request("127.0.0.1", "198.51.100.1"))
