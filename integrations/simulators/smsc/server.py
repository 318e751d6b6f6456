"""smsc.ru simulator: /sys/send.php, /sys/status.php (fmt=3, JSON) and callbacks.

Auth: login+psw or apikey. Refusal codes: 1 parameters, 2 auth, 3 no funds,
4 IP blocked, 6 forbidden text, 7 bad number, 8 undeliverable, 9 the same
request within a minute (real: always on). Statuses: -1 waiting, then
1 delivered or 20 not delivered after `callback_delay`; -3 not found.
Callbacks are forms with id, phone, status, err; any HTTP 200 stops repeats.
"""

from __future__ import annotations

import re
import time

from integrations.simulators import register
from integrations.simulators._http import Answer, HttpSimulator, SimMessage

ERRORS = {
    1: "parameters error",
    2: "authorise error",
    3: "no money",
    4: "IP address is temporarily blocked",
    6: "message is denied",
    7: "invalid number",
    8: "can't deliver the message",
    9: "duplicate request, wait a minute",
}
NUMBER = re.compile(r"[1-9]\d{9,14}")


@register("smsc")
class SmscSimulator(HttpSimulator):
    def __init__(
        self,
        *,
        login: str = "simulator",
        password: str = "simulator",  # noqa: S107 - the simulator's own test account
        api_key: str = "simulator-key",
        **kwargs,
    ):
        self.login, self.password, self.api_key = login, password, api_key
        super().__init__(**kwargs)

    def callback_payload(self, message: SimMessage) -> dict[str, str]:
        number, _, phone = message.id.partition(":")
        delivered = message.status == "delivered"
        return {
            "id": number,
            "phone": phone,
            "status": "1" if delivered else "20",
            "err": "0" if delivered else "1",
            "time": str(int(time.time())),
        }

    @staticmethod
    def _error(code: int) -> Answer:
        return Answer({"error": ERRORS.get(code, "error"), "error_code": code})

    def _authorised(self, params: dict[str, str]) -> bool:
        if "apikey" in params:
            return params["apikey"] == self.api_key
        return params.get("login") == self.login and params.get("psw") == self.password

    def handle(self, method: str, path: str, params: dict[str, str]) -> Answer:
        if path not in ("/sys/send.php", "/sys/status.php"):
            return Answer("Not Found", status=404)
        if params.get("fmt") != "3":
            return Answer("ERROR = 1 (this simulator speaks fmt=3 only)")
        if not self._authorised(params):
            return self._error(2)
        if path == "/sys/send.php":
            return self._send(params)
        return self._status(params)

    def _send(self, params: dict[str, str]) -> Answer:
        phone, text = params.get("phones", "").strip(), params.get("mes", "")
        if not phone or not text or "," in phone or ";" in phone:
            return self._error(1)  # this simulator takes one number per message
        forced = self.refuse_this_send()
        if forced is not None:
            return self._error(forced)
        if not NUMBER.fullmatch(phone):
            return self._error(7)
        if self.is_duplicate(phone, text):
            return self._error(9)
        number = params.get("id") or str(self.next_sequence())
        if not number.isdigit() or not 1 <= int(number) <= 2147483647:
            return self._error(1)
        self.accept(f"{number}:{phone}", phone, text, sender=params.get("sender", ""))
        return Answer({"id": int(number), "cnt": 1})

    def _status(self, params: dict[str, str]) -> Answer:
        number, phone = params.get("id", "").strip(","), params.get("phone", "").strip(",")
        if not number or not phone:
            return self._error(1)
        message = self.find(f"{number}:{phone}")
        if message is None:
            return Answer({"status": -3, "err": 0})
        code = {"queued": -1, "delivered": 1, "failed": 20}[message.status]
        return Answer(
            {"status": code, "last_timestamp": int(time.time()), "err": 0 if code != 20 else 1}
        )
