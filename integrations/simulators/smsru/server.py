"""sms.ru simulator: /sms/send, /sms/status and delivery callbacks, as sms.ru speaks them.

Refusal codes it can give: 200/301 bad api_id, 201 no funds, 202 bad number,
206 daily limit, 220 service unavailable, 231 the same text to the same
number within a minute (real: always on); any other `error_code` knob value
is given per number. Delivery codes: 100 queued, then 103 delivered or
107 not delivered after `callback_delay`. Callbacks carry data[N] =
"sms_status\\n<id>\\n<code>\\n<unix time>" and are repeated until the answer
body is "100".
"""

from __future__ import annotations

import re
import time

from integrations.simulators import register
from integrations.simulators._http import Answer, HttpSimulator, SimMessage

# Codes that refuse the whole request rather than one number.
REQUEST_CODES = {200, 201, 210, 211, 220, 230, 300, 301, 302}
TEXTS = {
    100: "Сообщение принято к отправке",
    103: "Сообщение доставлено",
    107: "Сообщение не доставлено: неизвестная причина",
    200: "Неправильный api_id",
    201: "Не хватает средств на лицевом счету",
    202: "Неправильно указан номер телефона получателя, либо на него нет маршрута",
    206: "Будет превышен или уже превышен дневной лимит на отправку сообщений",
    220: "Сервис временно недоступен, попробуйте чуть позже",
    231: "Превышен лимит одинаковых сообщений на этот номер в минуту",
    301: "Неправильный api_id, либо логин/пароль",
}
NUMBER = re.compile(r"[1-9]\d{9,14}")


@register("smsru")
class SmsRuSimulator(HttpSimulator):
    def __init__(self, *, api_id: str = "simulator-key", **kwargs):
        self.api_id = api_id
        super().__init__(**kwargs)

    def callback_payload(self, message: SimMessage) -> dict[str, str]:
        code = 103 if message.status == "delivered" else 107
        return {"data[0]": f"sms_status\n{message.id}\n{code}\n{int(time.time())}"}

    def callback_accepted(self, status: int, body: str) -> bool:
        return status == 200 and body.strip() == "100"

    @staticmethod
    def _error(code: int) -> dict:
        return {"status": "ERROR", "status_code": code, "status_text": TEXTS.get(code, "Ошибка")}

    def handle(self, method: str, path: str, params: dict[str, str]) -> Answer:
        if path not in ("/sms/send", "/sms/status"):
            return Answer("Not Found", status=404)
        if params.get("api_id") != self.api_id:
            return Answer(self._error(301))
        if path == "/sms/send":
            return self._send(params)
        return self._status(params)

    def _send(self, params: dict[str, str]) -> Answer:
        text = params.get("msg", "")
        numbers = [n.strip() for n in params.get("to", "").split(",") if n.strip()]
        if not numbers or not text:
            return Answer(self._error(202 if not numbers else 203))
        forced = self.refuse_this_send()
        if forced in REQUEST_CODES:
            return Answer(self._error(forced))
        result = {}
        for number in numbers:
            if forced is not None:
                result[number] = self._error(forced)
            elif not NUMBER.fullmatch(number):
                result[number] = self._error(202)
            elif self.is_duplicate(number, text):
                result[number] = self._error(231)
            else:
                message_id = f"{self.knobs.seed % 1000000:06d}-{10000000 + self.next_sequence()}"
                self.accept(message_id, number, text, sender=params.get("from", ""))
                result[number] = {"status": "OK", "status_code": 100, "sms_id": message_id}
        return Answer({"status": "OK", "status_code": 100, "sms": result, "balance": 1000.0})

    def _status(self, params: dict[str, str]) -> Answer:
        result = {}
        for message_id in [i.strip() for i in params.get("sms_id", "").split(",") if i.strip()]:
            message = self.find(message_id)
            if message is None:
                result[message_id] = {
                    "status": "ERROR",
                    "status_code": -1,
                    "status_text": "Сообщение не найдено",
                }
                continue
            code = {"queued": 100, "delivered": 103, "failed": 107}[message.status]
            result[message_id] = {"status": "OK", "status_code": code, "status_text": TEXTS[code]}
        return Answer({"status": "OK", "status_code": 100, "sms": result, "balance": 1000.0})
