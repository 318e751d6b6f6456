"""One form POST to an SMS gateway, with transport failures mapped to SmsUnavailable."""

from __future__ import annotations

from typing import Any

import httpx

from integrations.ports import SmsError, SmsUnavailable


def post_form(*, gateway: str, url: str, data: dict[str, str], timeout: float) -> Any:
    """POST `data` as a form and return the decoded JSON answer.

    Anything that says "try again later" (no connection, timeout, HTTP 5xx or
    429, an answer that is not JSON, e.g. a proxy's error page) raises
    SmsUnavailable; another non-200 status raises SmsError.
    """
    try:
        # A client per call: adapters keep no connection state between calls.
        with httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0))) as client:
            response = client.post(url, data=data)
    except httpx.TimeoutException as error:
        raise SmsUnavailable(f"{gateway}: no answer within {timeout:g} s") from error
    except httpx.HTTPError as error:
        raise SmsUnavailable(f"{gateway}: {type(error).__name__}: {error}") from error
    if response.status_code >= 500 or response.status_code == 429:
        raise SmsUnavailable(
            f"{gateway}: HTTP {response.status_code}", code=str(response.status_code)
        )
    if response.status_code != 200:
        raise SmsError(f"{gateway}: HTTP {response.status_code}", code=str(response.status_code))
    try:
        return response.json()
    except ValueError as error:
        raise SmsUnavailable(f"{gateway}: the answer is not JSON") from error


def digits(phone: str) -> str:
    """+79001234567 -> 79001234567: how both gateways write numbers."""
    return phone.strip().lstrip("+")
