"""The CommerceML exchange endpoint 1C calls: `?type=catalog&mode=checkauth|init|file|import`."""

from __future__ import annotations

import base64
import binascii
import hmac
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from integrations.commerceml.documents import CommerceMLError
from integrations.commerceml.exchange import (
    COOKIE_NAME,
    Step,
    find_session,
    import_step,
    open_session,
    receive_chunk,
    start,
)

logger = logging.getLogger(__name__)


def _answer(step: Step) -> HttpResponse:
    return HttpResponse(step.text(), content_type="text/plain; charset=utf-8")


def _failure(reason: str) -> HttpResponse:
    return _answer(Step("failure", reason))


def _basic_auth_ok(request: HttpRequest) -> bool:
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        user, _, password = base64.b64decode(encoded).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return hmac.compare_digest(user, settings.COMMERCEML_USER) & hmac.compare_digest(
        password, settings.COMMERCEML_PASSWORD
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def exchange(request: HttpRequest) -> HttpResponse:
    if not (settings.COMMERCEML_USER and settings.COMMERCEML_PASSWORD):
        return _failure("the exchange is not configured on the site")
    if request.GET.get("type") != "catalog":
        return _failure("only type=catalog is exchanged here")
    mode = request.GET.get("mode", "")
    if mode == "checkauth":
        if not _basic_auth_ok(request):
            return _failure("wrong login or password")
        return _answer(Step("success", f"{COOKIE_NAME}\n{open_session()}"))
    session = find_session(request.COOKIES.get(COOKIE_NAME, ""))
    if session is None:
        return _failure("no exchange session: call mode=checkauth first")
    filename = request.GET.get("filename", "")
    try:
        if mode == "init":
            return _answer(start(session))
        if mode == "file":
            length = int(request.META.get("CONTENT_LENGTH") or 0)
            return _answer(receive_chunk(session, filename, request, length))
        if mode == "import":
            return _answer(import_step(session, filename))
        if mode in ("complete", "deactivate"):
            # Newer 1C versions close an exchange with these; the catalog's
            # services come and go with the MIS sync, so nothing is left to do.
            return _answer(Step("success"))
    except CommerceMLError as error:
        logger.warning("1C exchange %s %s failed: %s", mode, filename, error)
        return _failure(str(error))
    return _failure(f"unknown mode {mode!r}")
