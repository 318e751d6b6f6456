"""smsc.ru adapter (public HTTP API): send, status query, status-callback parsing.

Send: POST {base}/sys/send.php with login+psw (or apikey), phones, mes, id,
fmt=3, charset=utf-8 -> {"id", "cnt"} or {"error", "error_code"}.
Status: POST {base}/sys/status.php with phone and id (smsc.ru needs both).
Callback: a form with id, phone, status, err; any HTTP 200 answer stops repeats.

smsc.ru names a message by the pair (id, phone), so our message id for it
is "<id>:<phone digits>"; `id` is a number we derive from the client id.
"""

from __future__ import annotations

import hashlib
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

# Error codes of send.php / status.php.
UNAVAILABLE_CODES = {4}  # the IP is blocked for a while after too many errors
DUPLICATE_CODES = {9}  # the same request more than once within a minute
NOT_FOUND = -3


def delivery_status(code: int | None) -> str:
    """smsc.ru status code -> ours: -1 waiting, 0 at the operator, 1 delivered,
    2 read, 4 link followed, 3 expired, -2 stopped, 20+ not delivered."""
    if code is None:
        return "sent"
    if code == -1:
        return "queued"
    if code == 0:
        return "sent"
    if code in (1, 2, 4):
        return "delivered"
    return "failed"


def message_number(client_id: str) -> int:
    """smsc.ru's `id` is a number in 1..2147483647: derived from our client id."""
    digest = hashlib.sha256(client_id.encode()).digest()
    return int.from_bytes(digest[:8], "big") % 2147483647 + 1


class Smsc:
    name = "smsc"
    callback_answer = "OK"

    def __init__(
        self,
        *,
        base_url: str,
        login: str = "",
        password: str = "",
        api_key: str = "",
        sender: str = "",
        timeout: float = 10.0,
    ):
        self.base_url = base_url.rstrip("/")
        self.login = login
        self.password = password
        self.api_key = api_key
        self.sender = sender
        self.timeout = timeout

    def _auth(self) -> dict[str, str]:
        if self.login:
            return {"login": self.login, "psw": self.password}
        return {"apikey": self.api_key}

    def _post(self, path: str, data: dict[str, str]) -> dict[str, Any]:
        answer = post_form(
            gateway=self.name,
            url=f"{self.base_url}{path}",
            data={**self._auth(), "fmt": "3", "charset": "utf-8", **data},
            timeout=self.timeout,
        )
        if not isinstance(answer, dict):
            raise SmsUnavailable("smsc: the answer is not a JSON object")
        if "error" in answer or "error_code" in answer:
            code = _int(answer.get("error_code"))
            text = f"smsc {code}: {answer.get('error', 'refused')}"
            if code in UNAVAILABLE_CODES:
                raise SmsUnavailable(text, code=str(code))
            if code in DUPLICATE_CODES:
                raise SmsDuplicate(text, code=str(code))
            raise SmsError(text, code=str(code))
        return answer

    def send(self, message: SmsMessage) -> SmsReceipt:
        number = digits(message.to)
        data = {"phones": number, "mes": message.text, "id": str(message_number(message.client_id))}
        if self.sender:
            data["sender"] = self.sender
        answer = self._post("/sys/send.php", data)
        if "id" not in answer:
            raise SmsError("smsc: the answer has no message id")
        return SmsReceipt(
            gateway=self.name, message_id=f"{answer['id']}:{number}", client_id=message.client_id
        )

    def status(self, message_id: str) -> SmsStatus:
        number, phone = _split(message_id)
        answer = self._post("/sys/status.php", {"id": number, "phone": phone})
        code = _int(answer.get("status"))
        if code == NOT_FOUND:
            raise SmsError(f"smsc: no message {message_id}", code=str(NOT_FOUND))
        return SmsStatus(
            gateway=self.name,
            message_id=message_id,
            status=delivery_status(code),
            detail=f"status {code}, err {answer.get('err', 0)}",
        )

    def parse_status_callback(self, data: dict[str, str]) -> list[SmsStatus]:
        number, phone, code = data.get("id", ""), digits(data.get("phone", "")), data.get("status")
        if not number or not phone or _int(code) is None:
            raise ValueError("an smsc.ru callback carries id, phone and status")
        return [
            SmsStatus(
                gateway=self.name,
                message_id=f"{number}:{phone}",
                status=delivery_status(_int(code)),
                detail=f"status {code}, err {data.get('err', '0')}",
            )
        ]


def _split(message_id: str) -> tuple[str, str]:
    number, _, phone = message_id.partition(":")
    if not number or not phone:
        raise ValueError(f"an smsc message id is '<id>:<phone>', not {message_id!r}")
    return number, phone


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
