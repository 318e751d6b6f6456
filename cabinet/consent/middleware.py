"""Any view that needs a signed consent raises ConsentRequired; this sends the
patient to the consent page and back."""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from cabinet.consent.services import ConsentRequired


class ConsentMiddleware:
    """Turns ConsentRequired from any view into the consent page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ConsentRequired):
            url = reverse("cabinet:consent")
            return redirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
        return None
