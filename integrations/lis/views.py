"""The LIS webhook: POST /integrations/lis/<lab>/results, signed, answered 202 at once."""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations.lis import signing, webhook
from integrations.lis.fhir_bundle import MalformedBundle

EVENT_ID_LENGTH = 128


def _refuse(status: int, error: str) -> JsonResponse:
    return JsonResponse({"error": error}, status=status)


@csrf_exempt
@require_POST
def lab_results_webhook(request: HttpRequest, lab: str) -> JsonResponse:
    secret = webhook.webhook_secret(lab)
    if secret is None:
        return _refuse(404, f"unknown lab {lab!r}")
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        return _refuse(400, "Content-Length is not a number")
    if length > settings.LIS_WEBHOOK_MAX_BYTES:
        return _refuse(413, f"the body is larger than {settings.LIS_WEBHOOK_MAX_BYTES} bytes")
    # Read the raw stream: the signature covers the exact bytes sent.
    body = request.read(settings.LIS_WEBHOOK_MAX_BYTES + 1)
    timestamp = request.headers.get("X-Timestamp", "")
    header = request.headers.get("X-Signature", "")
    if not signing.signature_valid(secret=secret, timestamp=timestamp, body=body, header=header):
        return _refuse(401, "the X-Signature does not match the body and X-Timestamp")
    window = settings.LIS_WEBHOOK_WINDOW_SECONDS
    if not signing.timestamp_fresh(timestamp=timestamp, now=time.time(), window=window):
        return _refuse(401, f"X-Timestamp is more than {window} s away from our clock")
    event_id = request.headers.get("X-Event-Id", "").strip()
    if not event_id or len(event_id) > EVENT_ID_LENGTH:
        return _refuse(400, f"X-Event-Id is required (1 to {EVENT_ID_LENGTH} characters)")
    try:
        event, created = webhook.accept_webhook_event(lab=lab, event_id=event_id, body=body)
    except MalformedBundle as error:
        return _refuse(400, f"malformed FHIR Bundle: {error}")
    return JsonResponse(
        {"event": event_id, "status": "accepted" if created else "duplicate"}, status=202
    )
