"""The idempotency key is not a bearer secret: a replay of a hold's body with
the same key gets the first answer only from the client that made it (the
same channel person, user or guest), and never the token to anyone else."""

import pytest

from booking.models import Appointment
from tests.booking.test_api import confirm

BOT_KEY = "bot-secret-key"


@pytest.fixture
def bot(settings):
    settings.BOOKING_CHANNEL_KEYS = {"telegram": BOT_KEY}
    return {"HTTP_X_CHANNEL_KEY": BOT_KEY, "HTTP_X_CHANNEL_CLIENT": "5001"}


class JsonClient:
    def __init__(self, client):
        self.client = client

    def post(self, url, data):
        return self.client.post(url, data, content_type="application/json")


def hold(client, doctor, service, start, key, **headers):
    return client.post(
        "/api/v1/holds/",
        {
            "doctor": doctor.pk,
            "service": service.pk,
            "start": start.isoformat(),
            "idempotency_key": key,
            "channel": "telegram",
        },
        content_type="application/json",
        **headers,
    )


def test_the_bot_replaying_its_own_key_gets_its_own_hold(client, doctor, service, free, bot):
    first = hold(client, doctor, service, free[0].start, "telegram-5001-1", **bot)
    again = hold(client, doctor, service, free[0].start, "telegram-5001-1", **bot)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["token"] == first.json()["token"]
    assert Appointment.objects.count() == 1


def test_a_stranger_replaying_the_key_gets_neither_the_booking_nor_its_token(
    client, doctor, service, free, bot, django_user_model
):
    held = hold(client, doctor, service, free[0].start, "telegram-5001-1", **bot).json()
    # The patient confirms: a booked visit with a secret token.
    api = type(
        "Api",
        (),
        {"post": lambda self, url, data: client.post(url, data, content_type="application/json")},
    )()
    assert confirm(api, held).status_code == 200
    stranger_answers = [
        # no cookies, no channel key: a guest elsewhere
        hold(client, doctor, service, free[0].start, "telegram-5001-1", REMOTE_ADDR="198.51.100.9"),
        # the bot's key, but another person of the bot
        hold(
            client,
            doctor,
            service,
            free[0].start,
            "telegram-5001-1",
            HTTP_X_CHANNEL_KEY=BOT_KEY,
            HTTP_X_CHANNEL_CLIENT="6666",
        ),
    ]
    for answer in stranger_answers:
        assert answer.status_code == 409, answer.content  # the time is taken, that is all
        assert held["token"] not in answer.content.decode()
        assert held["id"] not in answer.content.decode()
    # Without the token nobody else reads or cancels it.
    url = f"/api/v1/appointments/{held['id']}/"
    assert client.get(url, {"token": "guess"}).status_code == 404
    appointment = Appointment.objects.get(public_id=held["id"])
    assert appointment.status in ("awaiting", "confirmed")


def test_two_users_with_the_same_key_are_two_requests(
    client, doctor, service, free, django_user_model
):
    ann = django_user_model.objects.create_user("ann", password="x-Parol-2026")
    bob = django_user_model.objects.create_user("bob", password="x-Parol-2026")
    client.force_login(ann)
    first = hold(client, doctor, service, free[0].start, "widget-1")
    client.force_login(bob)
    second = hold(client, doctor, service, free[8].start, "widget-1")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    assert second.json()["token"] != first.json()["token"]
