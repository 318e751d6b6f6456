"""A request whose Content-Length header is not a length is a 400.

Django reads a form's body with `int(CONTENT_LENGTH)` and would answer a
header such as `abc` or `0x10` with a server error in every view that reads
request.POST; the proxies in front usually refuse such a request first, and
this answers it the same way wherever it comes from (in JSON, as the
webhooks' errors: only a program sends such a header).
"""

from __future__ import annotations

import re

from django.http import JsonResponse

LENGTH = re.compile(r"\s*[0-9]+\s*")


class ContentLengthMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = request.META.get("CONTENT_LENGTH")
        if length and not LENGTH.fullmatch(length):
            return JsonResponse({"error": "Content-Length is not a number"}, status=400)
        return self.get_response(request)
