"""A small async client of our booking API (/api/v1/), as any channel sees it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

TIMEOUT = httpx.Timeout(15.0, connect=5.0)
UNAVAILABLE = "Сервис записи недоступен, попробуйте позже."


@dataclass
class ApiError(Exception):
    """An error answer of the API: its stable code and human message."""

    status: int
    code: str
    message: str
    alternatives: list[dict[str, Any]] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message


def _words(problems: Any) -> str:
    return " ".join(map(str, problems)) if isinstance(problems, list) else str(problems)


@dataclass
class Answer:
    status: int
    data: Any


class BookingApi:
    def __init__(
        self, *, base_url: str, language: str = "ru", channel_key: str = "", transport=None
    ):
        headers = {"Accept-Language": language, "User-Agent": "clinic-telegram-bot"}
        if channel_key:
            headers["X-Channel-Key"] = channel_key
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/",
            timeout=TIMEOUT,
            headers=headers,
            transport=transport,
        )

    async def close(self) -> None:
        await self._client.aclose()

    async def _call(self, method: str, path: str, **kwargs: Any) -> Answer:
        try:
            response = await self._client.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            raise ApiError(
                0, "unavailable", "Сервис записи недоступен, попробуйте позже."
            ) from error
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.is_success:
            return Answer(response.status_code, data)
        error = (data or {}).get("error") if isinstance(data, dict) else None
        if not error:
            raise ApiError(response.status_code, "error", "Что-то пошло не так, попробуйте позже.")
        message = error.get("message") or ""
        if error.get("fields"):
            details = "; ".join(
                f"{name}: {_words(problems)}" for name, problems in error["fields"].items()
            )
            message = f"{message} {details}".strip()
        raise ApiError(
            response.status_code,
            error.get("code", "error"),
            message,
            list(error.get("alternatives") or []),
        )

    async def specialties(self) -> list[dict[str, Any]]:
        return (await self._call("GET", "specialties/")).data

    async def doctors(self, *, specialty: int) -> list[dict[str, Any]]:
        return (await self._call("GET", "doctors/", params={"specialty": specialty})).data

    async def slots(self, *, doctor: int, limit: int = 8) -> list[dict[str, Any]]:
        params = {"doctor": doctor, "limit": limit}
        return (await self._call("GET", "slots/", params=params)).data

    @staticmethod
    def _for(client: int | str | None) -> dict[str, Any]:
        """Headers naming the person the bot acts for (limits count per person)."""
        return {"headers": {"X-Channel-Client": str(client)}} if client is not None else {}

    async def hold(
        self,
        *,
        doctor: int,
        service: int,
        start: str,
        idempotency_key: str,
        client: int | str | None = None,
    ) -> dict[str, Any]:
        body = {
            "doctor": doctor,
            "service": service,
            "start": start,
            "idempotency_key": idempotency_key,
            "channel": "telegram",
        }
        return (await self._call("POST", "holds/", json=body, **self._for(client))).data

    async def send_phone_code(
        self, *, appointment: str, token: str, phone: str, client: int | str | None = None
    ) -> None:
        body = {"token": token, "phone": phone}
        path = f"appointments/{appointment}/phone-code/"
        await self._call("POST", path, json=body, **self._for(client))

    @property
    def consent_url(self) -> str:
        """The site's page with the personal-data consent text."""
        root = str(self._client.base_url).rstrip("/")
        return root.removesuffix("/api/v1") + "/book/consent/"

    async def confirm(
        self, *, appointment: str, token: str, patient: dict[str, str], code: str, consent: bool
    ) -> dict[str, Any]:
        body = {"token": token, "patient": patient, "code": code, "consent": consent}
        return (await self._call("POST", f"appointments/{appointment}/confirm/", json=body)).data
