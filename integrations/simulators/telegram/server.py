"""Telegram Bot API simulator: the methods our bot calls, plus hooks to play the user.

Protocol: POST or GET /bot<token>/<method> with form or JSON fields, answers
{"ok": true, "result": ...} or {"ok": false, "error_code", "description"}.
Methods: getMe, getUpdates (offset, timeout: long polling), deleteWebhook,
sendMessage, editMessageText, editMessageReplyMarkup, answerCallbackQuery,
deleteMessage, setMyCommands, close, logOut.
Test hooks: POST /_sim/updates {"text": ...} | {"callback_data": ...} |
{"contact": {"phone_number": ...}} (optional "chat_id", "user_id") queues an
update; GET /_sim/sent lists what the bot sent (method, chat_id, text,
reply_markup); GET /_sim/polls counts getUpdates calls (the bot is up);
POST /_sim/reset forgets everything.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from integrations.simulators import register
from integrations.simulators._http import Answer, HttpSimulator
from integrations.simulators._threaded import Reply

USER_ID = 5550001
BOT_TOKEN = "123456:simulator-token"  # noqa: S105 - the simulator's own, not a secret


@register("telegram")
class TelegramSimulator(HttpSimulator):
    def __init__(self, *, token: str = BOT_TOKEN, **kwargs: Any):
        self.token = token
        self._arrived = threading.Condition()
        super().__init__(**kwargs)

    def reset(self) -> None:
        super().reset()
        with self._lock:
            self.updates: list[dict[str, Any]] = []
            self.sent: list[dict[str, Any]] = []
            self.answered_callbacks: list[dict[str, Any]] = []
            self._update_id = 100
            self._message_id = 1000
            self.polls = 0  # getUpdates calls: the bot is up once this is > 0

    @property
    def bot_id(self) -> int:
        return int(self.token.split(":", 1)[0])

    def callback_payload(self, message):  # no delivery reports in this protocol
        return {}

    # --- the user's side (test hooks) --------------------------------------

    def push(self, event: dict[str, Any]) -> dict[str, Any]:
        """Queue an update: a text, a contact or a tap on an inline button."""
        chat_id = int(event.get("chat_id", USER_ID))
        user = {
            "id": int(event.get("user_id", chat_id)),
            "is_bot": False,
            "first_name": event.get("first_name", "Анна"),
            "language_code": "ru",
        }
        with self._lock:
            self._update_id += 1
            self._message_id += 1
            update: dict[str, Any] = {"update_id": self._update_id}
            message = {
                "message_id": self._message_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private", "first_name": user["first_name"]},
                "from": user,
            }
            if "callback_data" in event:
                update["callback_query"] = {
                    "id": str(self._update_id),
                    "from": user,
                    "chat_instance": str(chat_id),
                    "data": event["callback_data"],
                    "message": {
                        **message,
                        "message_id": int(event.get("message_id", self._message_id)),
                        "from": {"id": 1, "is_bot": True, "first_name": "Clinic"},
                        "text": "…",
                    },
                }
            elif "contact" in event:
                contact = {"first_name": user["first_name"], "user_id": user["id"]}
                message["contact"] = {**contact, **event["contact"]}
                update["message"] = message
            else:
                text = str(event.get("text", ""))
                message["text"] = text
                if text.startswith("/"):
                    command = text.split()[0]
                    message["entities"] = [
                        {"type": "bot_command", "offset": 0, "length": len(command)}
                    ]
                update["message"] = message
            self.updates.append(update)
        with self._arrived:
            self._arrived.notify_all()
        return update

    def sent_messages(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(m) for m in self.sent]

    def inspect(self, method: str, path: str, body: bytes) -> Reply:
        if path == "/_sim/updates" and method == "POST":
            try:
                event = json.loads(body or b"{}")
            except ValueError as error:
                return Answer({"error": str(error)}, status=400).reply()
            return Answer(self.push(event)).reply()
        if path == "/_sim/sent" and method == "GET":
            return Answer(self.sent_messages()).reply()
        if path == "/_sim/polls" and method == "GET":
            return Answer({"polls": self.polls}).reply()
        return super().inspect(method, path, body)

    # --- the bot's side (the Bot API) --------------------------------------

    def handle(self, method: str, path: str, params: dict[str, str]) -> Answer:
        prefix = f"/bot{self.token}/"
        if not path.startswith("/bot"):
            return Answer({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        if not path.startswith(prefix):
            return Answer({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        name = path[len(prefix) :].lower()
        api = getattr(self, f"_api_{name.lower()}", None)
        if api is None:
            return Answer({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        return api(params)

    @staticmethod
    def _ok(result: Any) -> Answer:
        return Answer({"ok": True, "result": result})

    def _api_getme(self, params: dict[str, str]) -> Answer:
        return self._ok(
            {
                "id": self.bot_id,
                "is_bot": True,
                "first_name": "Clinic",
                "username": "clinic_test_bot",
                "can_join_groups": False,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        )

    def _api_getupdates(self, params: dict[str, str]) -> Answer:
        offset = int(params.get("offset") or 0)
        with self._lock:
            self.polls += 1
        timeout = min(float(params.get("timeout") or 0), 30.0)
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if offset:
                    # Like Telegram: an offset confirms (forgets) every earlier update.
                    self.updates = [u for u in self.updates if u["update_id"] >= offset]
                pending = list(self.updates)
            left = deadline - time.monotonic()
            if pending or left <= 0 or self._stopped.is_set():
                return self._ok(pending)
            with self._arrived:
                self._arrived.wait(min(left, 0.5))

    def _api_deletewebhook(self, params: dict[str, str]) -> Answer:
        return self._ok(True)

    def _api_setmycommands(self, params: dict[str, str]) -> Answer:
        return self._ok(True)

    def _api_close(self, params: dict[str, str]) -> Answer:
        return self._ok(True)

    def _api_logout(self, params: dict[str, str]) -> Answer:
        return self._ok(True)

    def _record(self, method: str, params: dict[str, str]) -> dict[str, Any]:
        markup = params.get("reply_markup")
        entry = {
            "method": method,
            "chat_id": int(params["chat_id"]),
            "text": params.get("text", ""),
            "reply_markup": json.loads(markup) if markup else None,
        }
        with self._lock:
            if "message_id" in params:
                entry["message_id"] = int(params["message_id"])
            else:
                self._message_id += 1
                entry["message_id"] = self._message_id
            self.sent.append(entry)
        return entry

    def _message(self, entry: dict[str, Any]) -> dict[str, Any]:
        message = {
            "message_id": entry["message_id"],
            "date": int(time.time()),
            "chat": {"id": entry["chat_id"], "type": "private"},
            "from": {
                "id": self.bot_id,
                "is_bot": True,
                "first_name": "Clinic",
            },
            "text": entry["text"],
        }
        markup = entry["reply_markup"]
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return message

    def _api_sendmessage(self, params: dict[str, str]) -> Answer:
        if not params.get("chat_id") or not params.get("text"):
            return Answer(
                {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: message text is empty",
                },
                400,
            )
        return self._ok(self._message(self._record("sendMessage", params)))

    def _api_editmessagetext(self, params: dict[str, str]) -> Answer:
        return self._ok(self._message(self._record("editMessageText", params)))

    def _api_editmessagereplymarkup(self, params: dict[str, str]) -> Answer:
        return self._ok(self._message(self._record("editMessageReplyMarkup", params)))

    def _api_deletemessage(self, params: dict[str, str]) -> Answer:
        return self._ok(True)

    def _api_answercallbackquery(self, params: dict[str, str]) -> Answer:
        with self._lock:
            self.answered_callbacks.append(dict(params))
        return self._ok(True)
