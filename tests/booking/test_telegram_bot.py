"""The Telegram bot as a real process: our site (live server), the Bot API simulator, a guest."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings as django_settings

import httpx
import pytest

from booking.models import Appointment
from booking.selectors import next_free_slots
from catalog.models import Specialty
from integrations.simulators.telegram import TelegramSimulator
from tests.e2e.codes import texted_code
from tests.polling import wait_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(django_settings.BASE_DIR)
WAIT = 20.0
CHANNEL_KEY = "test-telegram-channel-key"


@pytest.fixture(scope="module")
def telegram():
    simulator = TelegramSimulator().start()
    yield simulator
    simulator.stop()


@pytest.fixture(scope="module")
def bot(live_server, telegram):
    """`manage.py run_telegram_bot` against the simulator and our live server."""
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": telegram.token,
        "TELEGRAM_API_URL": telegram.url,
        "BOOKING_API_URL": live_server.url + "/api/v1/",
        "TELEGRAM_CHANNEL_KEY": CHANNEL_KEY,
        # The bot talks only HTTP: a database it cannot reach proves it never opens one.
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/no_database",
    }
    process = subprocess.Popen(  # noqa: S603 - our own command, no shell
        [sys.executable, str(ROOT / "manage.py"), "run_telegram_bot"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process  # it starts while the demo clinic loads; Guest() waits for it
    finally:
        process.terminate()
        try:
            output = process.communicate(timeout=10)[0]
        except subprocess.TimeoutExpired:
            process.kill()
            output = process.communicate()[0]
        assert "Traceback" not in output, output


@pytest.fixture
def clinic(committed_demo):
    """The demo clinic, committed: the bot books through the live server."""


class Guest:
    """One Telegram user talking to the bot (once it polls) through the simulator."""

    def __init__(self, telegram: TelegramSimulator, bot: subprocess.Popen, chat_id: int):
        self.telegram = telegram
        self.chat_id = chat_id
        # Importing aiogram takes seconds on a busy machine.
        wait_for(lambda: telegram.polls or bot.poll() is not None, seconds=45, what="the bot")
        if not telegram.polls:
            raise AssertionError(f"the bot did not start:\n{bot.communicate()[0]}")

    def _sent(self) -> list[dict]:
        return [m for m in self.telegram.sent_messages() if m["chat_id"] == self.chat_id]

    def _reply_to(self, event: dict) -> dict:
        seen = len(self._sent())
        self.telegram.push({**event, "chat_id": self.chat_id})
        sent = wait_for(
            lambda: (lambda s: s if len(s) > seen else None)(self._sent()),
            seconds=WAIT,
            what=f"the bot's answer to {event}",
        )
        return sent[seen]

    def say(self, text: str) -> dict:
        return self._reply_to({"text": text})

    def share_contact(self, phone: str) -> dict:
        return self._reply_to({"contact": {"phone_number": phone}})

    def tap(self, reply: dict, label: str | None = None, *, data: str | None = None) -> dict:
        buttons = buttons_of(reply)
        if data is None:
            data = next(d for text, d in buttons if label is None or text == label)
        assert data in [d for _, d in buttons], (data, buttons)
        return self._reply_to({"callback_data": data})


def buttons_of(reply: dict) -> list[tuple[str, str]]:
    rows = (reply["reply_markup"] or {}).get("inline_keyboard", [])
    return [(b["text"], b["callback_data"]) for row in rows for b in row]


def therapist_times(guest: Guest) -> tuple[object, dict]:
    """/start, Терапия, a therapist with free times: the bot's list of times."""
    therapy = Specialty.objects.get(name="Терапия")
    doctor = next(d for d in therapy.doctors.all() if len(next_free_slots(doctor=d)) >= 4)
    welcome = guest.say("/start")
    assert welcome["text"].startswith("Здравствуйте!")
    doctors = guest.tap(welcome, "Терапия")
    assert doctors["text"] == "Выберите врача:"
    times = guest.tap(doctors, data=f"dr:{doctor.pk}")
    assert times["text"].startswith(doctor.full_name)
    assert "местное время филиала" in times["text"]
    return doctor, times


def test_a_guest_books_in_telegram(bot, telegram, clinic):
    guest = Guest(telegram, bot, chat_id=7001)
    doctor, times = therapist_times(guest)
    label, data = buttons_of(times)[0]
    slot = next_free_slots(doctor=doctor)[0]
    assert label.endswith(slot.local_start.strftime("%d.%m %H:%M"))  # the branch's clock

    held = guest.tap(times, data=data)
    assert "удерживается" in held["text"] and "фамилию" in held["text"]
    assert Appointment.objects.get().status == "held"
    assert guest.say("Тестова")["text"] == "Введите имя:"
    ask_consent = guest.say("Анна")
    assert "согласие на обработку персональных данных" in ask_consent["text"]
    assert "/book/consent/" in ask_consent["text"]
    assert "Без согласия" in guest.say("зачем?")["text"]  # no consent, no phone asked
    ask_phone = guest.tap(ask_consent, "Даю согласие")
    button = ask_phone["reply_markup"]["keyboard"][0][0]
    assert button["request_contact"] is True
    code_sent = guest.share_contact("79990000007")  # Telegram gives it without the plus
    assert "+79990000007" in code_sent["text"]
    assert code_sent["reply_markup"] == {"remove_keyboard": True}

    wrong = guest.say("000000")
    assert wrong["text"].startswith("Ошибка: ")
    booked = guest.say(texted_code("+79990000007"))
    assert booked["text"].startswith("Вы записаны: ")
    assert doctor.full_name in booked["text"]

    appointment = Appointment.objects.get()
    assert appointment.status == "confirmed"
    assert appointment.channel == "telegram"
    assert (appointment.consent_via, appointment.consent_sha256 != "") == ("form", True)
    assert appointment.start == slot.start
    assert (appointment.patient_last_name, appointment.patient_phone) == ("Тестова", "+79990000007")
    assert all(m["method"] == "sendMessage" for m in telegram.sent_messages())


def test_a_taken_time_offers_three_alternatives(bot, telegram, clinic, live_server):
    guest = Guest(telegram, bot, chat_id=7002)
    _doctor, times = therapist_times(guest)
    _label, data = buttons_of(times)[0]
    _, doctor_id, service_id, start = data.split(":", 3)
    # Someone on the site takes the time while the guest looks at the list.
    taken = httpx.post(
        live_server.url + "/api/v1/holds/",
        json={"doctor": int(doctor_id), "service": int(service_id), "start": start},
        timeout=10,
    )
    assert taken.status_code == 201

    offer = guest.tap(times, data=data)
    assert offer["text"] == "Это время уже заняли. Свободно ближайшее:"
    alternatives = buttons_of(offer)
    assert len(alternatives) == 3
    assert data not in [d for _, d in alternatives]

    held = guest.tap(offer, data=alternatives[0][1])
    assert "удерживается" in held["text"]
    ours = Appointment.objects.exclude(public_id=taken.json()["id"]).get()
    assert ours.status == "held" and ours.channel == "telegram"


def test_each_telegram_user_has_their_own_hold_allowance(
    bot, telegram, clinic, live_server, settings
):
    """All bot traffic comes from one address; with the channel key the hold
    limit counts per Telegram user, not for all of them together."""
    settings.BOOKING_CHANNEL_KEYS = {"telegram": CHANNEL_KEY}
    settings.BOOKING_HOLDS_PER_IP = "1/min"
    for chat_id in (7101, 7102):
        guest = Guest(telegram, bot, chat_id=chat_id)
        _doctor, times = therapist_times(guest)
        _label, data = buttons_of(times)[chat_id - 7101]
        held = guest.tap(times, data=data)
        assert "удерживается" in held["text"], held["text"]
    assert Appointment.objects.filter(channel="telegram", status="held").count() == 2
    # The same address without the key is one client: its second hold is refused.
    spare = [d for _, d in buttons_of(times)[2:]]
    for slot in spare[:2]:
        _, doctor_id, service_id, start = slot.split(":", 3)
        answer = httpx.post(
            live_server.url + "/api/v1/holds/",
            json={"doctor": int(doctor_id), "service": int(service_id), "start": start},
            timeout=10,
        )
    assert answer.status_code == 429
