"""`manage.py run_telegram_bot`: the Telegram booking bot, long polling until stopped."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run the Telegram booking bot (a client of /api/v1/; no database access)."
    # The bot talks only HTTP to the site: no checks that would open the database.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def handle(self, *args: Any, **options: Any) -> None:
        from booking.telegram.bot import run

        token = settings.TELEGRAM_BOT_TOKEN
        if not token:
            raise CommandError("Set TELEGRAM_BOT_TOKEN (from @BotFather).")
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        self.stdout.write(
            f"Telegram bot: Bot API {settings.TELEGRAM_API_URL or 'api.telegram.org'}, "
            f"booking API {settings.BOOKING_API_URL}"
        )
        self.stdout.flush()
        asyncio.run(
            run(
                token=token,
                api_url=settings.TELEGRAM_API_URL,
                booking_api_url=settings.BOOKING_API_URL,
                channel_key=settings.TELEGRAM_CHANNEL_KEY,
            )
        )
