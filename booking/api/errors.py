"""Errors of the API as JSON with stable codes: {"error": {"code", "message", ...}}."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from booking.api.serializers import SlotSerializer
from booking.services import BookingError

# Stable codes for DRF's own exceptions.
_DRF_CODES = {
    exceptions.ValidationError: "invalid",
    exceptions.ParseError: "malformed_request",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "not_authenticated",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "too_many_requests",
}


def error_body(code: str, message: str, **extra) -> dict:
    return {"error": {"code": code, "message": message, **extra}}


def exception_handler(exc, context):
    if isinstance(exc, BookingError):
        extra = {}
        if exc.alternatives:
            extra["alternatives"] = SlotSerializer(exc.alternatives, many=True).data
        return Response(error_body(exc.code, str(exc), **extra), status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: Django's 500 handler (no trace shown)
    code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), "error")
    if isinstance(exc, exceptions.ValidationError):
        body = error_body(code, _("Please correct the fields marked."), fields=response.data)
    elif isinstance(exc, exceptions.ParseError):
        # DRF's text quotes the JSON parser (English, and of no use to a patient).
        body = error_body(code, _("The request could not be read: JSON was expected."))
    elif isinstance(exc, exceptions.PermissionDenied) and "CSRF" in str(exc.detail):
        # Django's CSRF reasons are English developer text.
        body = error_body(
            "csrf_failed",
            _("The page is out of date or your session has ended. Reload the page and try again."),
        )
    else:
        body = error_body(code, str(exc.detail) if hasattr(exc, "detail") else str(exc))
    response.data = body
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
        body["error"]["retry_after"] = getattr(exc, "wait", None)
    return response
