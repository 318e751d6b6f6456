"""The Telegram Bot API simulator: `TelegramSimulator(**knobs)` serves it in a thread.

`manage.py simulate telegram --port N` runs it as a process; its token is BOT_TOKEN.
"""

from __future__ import annotations

from integrations.simulators.telegram.server import BOT_TOKEN, USER_ID, TelegramSimulator

__all__ = ["BOT_TOKEN", "USER_ID", "TelegramSimulator"]
