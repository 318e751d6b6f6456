"""The hold throttle counts the one client address (clinic_site.client):
a new X-Forwarded-For per request neither escapes it nor blames another."""

import pytest


@pytest.fixture
def limited(settings):
    settings.BOOKING_HOLDS_PER_IP = "3/min"
    settings.TRUSTED_PROXIES = []


def test_a_new_forwarded_for_header_per_hold_is_still_one_client(
    client, doctor, service, free, limited
):
    answers = [
        client.post(
            "/api/v1/holds/",
            {"doctor": doctor.pk, "service": service.pk, "start": free[n * 8].start.isoformat()},
            content_type="application/json",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
        for n in range(5)
    ]
    assert [a.status_code for a in answers] == [201, 201, 201, 429, 429]


def test_a_forged_header_does_not_use_up_another_clients_holds(
    client, doctor, service, free, limited
):
    victim = "203.0.113.50"
    for n in range(4):
        client.post(
            "/api/v1/holds/",
            {"doctor": doctor.pk, "service": service.pk, "start": free[n * 8].start.isoformat()},
            content_type="application/json",
            HTTP_X_FORWARDED_FOR=victim,
        )
    theirs = client.post(
        "/api/v1/holds/",
        {"doctor": doctor.pk, "service": service.pk, "start": free[32].start.isoformat()},
        content_type="application/json",
        REMOTE_ADDR=victim,
    )
    assert theirs.status_code == 201


def test_behind_the_trusted_proxy_each_client_has_its_own_count(
    client, doctor, service, free, settings
):
    settings.BOOKING_HOLDS_PER_IP = "2/min"
    settings.TRUSTED_PROXIES = ["127.0.0.1"]

    def hold_as(address: str, n: int):
        return client.post(
            "/api/v1/holds/",
            {"doctor": doctor.pk, "service": service.pk, "start": free[n * 4].start.isoformat()},
            content_type="application/json",
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=address,
        ).status_code

    assert [hold_as("198.51.100.1", n) for n in range(3)] == [201, 201, 429]
    assert hold_as("198.51.100.2", 3) == 201
