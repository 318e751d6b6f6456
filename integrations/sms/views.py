"""Delivery-status callbacks of the SMS gateways: /integrations/sms/<gateway>/status."""

from __future__ import annotations

import hmac
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from integrations.sms import GATEWAYS, get_sms_gateway
from integrations.sms.delivery import apply_status_report

logger = logging.getLogger(__name__)


def _authorised(request: HttpRequest) -> bool:
    """Gateways do not sign callbacks: the URL they call carries our key."""
    secret = settings.SMS_CALLBACK_SECRET
    if not secret:
        return not settings.PRODUCTION
    return hmac.compare_digest(request.GET.get("key", ""), secret)


def _flat(query) -> dict[str, str]:
    """A QueryDict as one value per key; repeated keys (data[]) get an index."""
    flat: dict[str, str] = {}
    for key, values in query.lists():
        if len(values) == 1:
            flat[key] = values[0]
        else:
            for index, value in enumerate(values):
                flat[f"{key.removesuffix('[]')}[{index}]"] = value
    return flat


@csrf_exempt
@require_http_methods(["GET", "POST"])
def sms_status_callback(request: HttpRequest, gateway: str) -> HttpResponse:
    if gateway not in GATEWAYS:
        return HttpResponse("unknown gateway", status=404, content_type="text/plain")
    if not _authorised(request):
        return HttpResponse("forbidden", status=403, content_type="text/plain")
    data = _flat(request.POST if request.method == "POST" else request.GET)
    data.pop("key", None)
    adapter = get_sms_gateway(gateway)
    try:
        reports = adapter.parse_status_callback(data)
    except ValueError as error:
        logger.warning("SMS %s callback not understood: %s", gateway, error)
        return HttpResponse("bad request", status=400, content_type="text/plain")
    unknown = [report.message_id for report in reports if not apply_status_report(report=report)]
    if unknown:
        # Not ours yet (the sending worker has not recorded the id): answering
        # anything but the expected body makes the gateway repeat the callback.
        logger.info("SMS %s callback for unknown message(s) %s", gateway, unknown)
        return HttpResponse("unknown message", status=404, content_type="text/plain")
    return HttpResponse(getattr(adapter, "callback_answer", "OK"), content_type="text/plain")
