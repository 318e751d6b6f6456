"""sms.ru adapter (public HTTP API): send, status query, status-callback parsing.

Send: POST {base}/sms/send with api_id, to, msg, json=1; the answer has a
top-level status/status_code (100 = request accepted) and, per number,
status, status_code and sms_id. Status: POST {base}/sms/status with sms_id.
Callback: a form array data[] of "sms_status\\n<sms_id>\\n<code>[\\n<unix time>]";
sms.ru repeats it until the body of our answer is "100".
"""

from __future__ import annotations

from typing import Any

from integrations.ports import (
    SmsDuplicate,
    SmsError,
    SmsMessage,
    SmsReceipt,
    SmsStatus,
    SmsUnavailable,
)
from integrations.sms._http import digits, post_form

OK = 100
# Refusals that mean "the gateway itself is busy or down": try again later.
UNAVAILABLE_CODES = {220}
DUPLICATE_CODES = {231}

# Delivery codes of /sms/status and callbacks -> our status.
DELIVERY_STATUS = {
    100: "queued",  # in sms.ru's queue
    101: "sent",  # being passed to the operator
    102: "sent",  # sent, on its way
    103: "delivered",
    104: "failed",  # expired undelivered
    105: "failed",  # deleted by the operator
    106: "failed",  # phone failure
    107: "failed",  # unknown reason
    108: "failed",  # rejected
    110: "delivered",  # read (messengers)
    150: "failed",  # no route to this number
}


def delivery_status(code: int | None) -> str:
    if code is None:
        return "sent"
    return DELIVERY_STATUS.get(code, "failed" if code >= 104 else "sent")


class SmsRu:
    name = "smsru"
    # What a status callback must be answered with, or sms.ru repeats it.
    callback_answer = "100"

    def __init__(self, *, base_url: str, api_id: str, sender: str = "", timeout: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self.api_id = api_id
        self.sender = sender
        self.timeout = timeout

    def _post(self, path: str, data: dict[str, str]) -> dict[str, Any]:
        answer = post_form(
            gateway=self.name,
            url=f"{self.base_url}{path}",
            data={"api_id": self.api_id, "json": "1", **data},
            timeout=self.timeout,
        )
        if not isinstance(answer, dict):
            raise SmsUnavailable("smsru: the answer is not a JSON object")
        return answer

    @staticmethod
    def _refusal(entry: dict[str, Any]) -> SmsError:
        code = _int(entry.get("status_code"))
        text = f"smsru {code}: {entry.get('status_text', 'refused')}"
        if code in UNAVAILABLE_CODES:
            return SmsUnavailable(text, code=str(code))
        if code in DUPLICATE_CODES:
            return SmsDuplicate(text, code=str(code))
        return SmsError(text, code=str(code))

    def send(self, message: SmsMessage) -> SmsReceipt:
        number = digits(message.to)
        data = {"to": number, "msg": message.text}
        if self.sender:
            data["from"] = self.sender
        answer = self._post("/sms/send", data)
        if answer.get("status") != "OK":
            raise self._refusal(answer)
        entry = (answer.get("sms") or {}).get(number)
        if not isinstance(entry, dict):
            raise SmsError(f"smsru: the answer does not mention {number}")
        if entry.get("status") != "OK" or _int(entry.get("status_code")) != OK:
            raise self._refusal(entry)
        return SmsReceipt(
            gateway=self.name, message_id=str(entry["sms_id"]), client_id=message.client_id
        )

    def status(self, message_id: str) -> SmsStatus:
        answer = self._post("/sms/status", {"sms_id": message_id})
        if answer.get("status") != "OK":
            raise self._refusal(answer)
        entry = (answer.get("sms") or {}).get(message_id)
        if not isinstance(entry, dict):
            raise SmsError(f"smsru: the answer does not mention {message_id}")
        if entry.get("status") != "OK":
            raise self._refusal(entry)
        code = _int(entry.get("status_code"))
        return SmsStatus(
            gateway=self.name,
            message_id=message_id,
            status=delivery_status(code),
            detail=f"{code} {entry.get('status_text', '')}".strip(),
        )

    def parse_status_callback(self, data: dict[str, str]) -> list[SmsStatus]:
        reports = []
        entries = [(key, value) for key, value in data.items() if key.startswith("data")]
        if not entries:
            raise ValueError("an sms.ru callback carries data[] entries")
        for _key, value in sorted(entries, key=lambda item: _entry_order(item[0])):
            lines = value.replace("\r\n", "\n").split("\n")
            if lines[0] != "sms_status":
                continue  # other kinds of events (call checks, ...) are not ours
            if len(lines) < 3 or not lines[1] or _int(lines[2]) is None:
                raise ValueError(f"malformed sms.ru status entry {value!r}")
            code = _int(lines[2])
            reports.append(
                SmsStatus(
                    gateway=self.name,
                    message_id=lines[1],
                    status=delivery_status(code),
                    detail=str(code),
                )
            )
        return reports


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _entry_order(key: str) -> tuple[int, str]:
    """data[0], data[1], ... in numeric order; other spellings after, by name."""
    inside = key[key.find("[") + 1 : key.rfind("]")] if "[" in key else ""
    return (int(inside), key) if inside.isdigit() else (1 << 30, key)
