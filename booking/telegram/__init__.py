"""The Telegram bot: a client of /api/v1/ like the mobile app (no models, no services)."""
