"""Answers with personal data are never kept by a browser or a proxy.

Every answer under the cabinet, the SMS links (manage a booking, a waitlist
offer), the appointment API and the admins, and every answer to a logged-in
user, says `Cache-Control: no-store, private`: the back button of a shared
computer or a caching proxy must not show a patient's visits or results.
Public pages for guests stay cacheable (the page cache serves them).
"""

from __future__ import annotations

from django.utils.cache import patch_cache_control

PERSONAL_PREFIXES = (
    "/cabinet/",
    "/book/manage/",
    "/book/offer/",
    "/api/v1/appointments/",
    "/admin/",
    "/django-admin/",
)


def carries_personal_data(request) -> bool:
    if request.path_info.startswith(PERSONAL_PREFIXES):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if carries_personal_data(request):
            patch_cache_control(response, no_store=True, private=True)
        return response
