"""The bot's pure helpers and the Bot API simulator's polling, without a site."""

import httpx
import pytest

from booking.telegram.bot import local_time, normalize_phone
from integrations.simulators.telegram import TelegramSimulator


@pytest.mark.parametrize(
    ("raw", "phone"),
    [
        ("79990000007", "+79990000007"),  # a shared Telegram contact has no plus
        ("+7 999 000-00-07", "+79990000007"),
        ("8 (999) 000-00-07", "+79990000007"),
        ("9990000007", "+79990000007"),
        ("12", None),
        ("позвоните мне", None),
    ],
)
def test_normalize_phone(raw, phone):
    assert normalize_phone(raw) == phone


def test_local_time_is_the_branch_clock():
    assert local_time("2026-11-23T09:00:00+05:00") == "пн 23.11 09:00"
    assert local_time("2026-11-23T04:00:00Z", "Asia/Yekaterinburg") == "пн 23.11 09:00"


def test_get_updates_waits_and_forgets_confirmed_updates():
    with TelegramSimulator() as simulator:
        api = f"{simulator.url}/bot{simulator.token}/"
        assert httpx.post(api + "getUpdates", data={"timeout": "0"}).json() == {
            "ok": True,
            "result": [],
        }
        first = simulator.push({"text": "/start"})["update_id"]
        simulator.push({"callback_data": "sp:1"})
        updates = httpx.post(api + "getUpdates", data={"timeout": "5"}).json()["result"]
        assert [u["update_id"] for u in updates] == [first, first + 1]
        assert updates[1]["callback_query"]["data"] == "sp:1"
        left = httpx.post(api + "getUpdates", data={"offset": str(first + 1)}).json()["result"]
        assert [u["update_id"] for u in left] == [first + 1]
        wrong = httpx.post(f"{simulator.url}/bot1:wrong/getMe")
        assert wrong.status_code == 401 and wrong.json()["ok"] is False
