"""The API's session authentication: a session counts only once its second
factor is verified.

DRF's SessionAuthentication takes any logged-in session, so a staff member
signed in with the password only, to enrol a device (accounts/enrolment.py),
would have been an API client. Here such a session is anonymous to the API.
"""

from __future__ import annotations

from drf_spectacular.authentication import SessionScheme
from rest_framework.authentication import SessionAuthentication

from cabinet.accounts.two_factor import is_verified


class VerifiedSessionAuthentication(SessionAuthentication):
    def authenticate(self, request):
        found = super().authenticate(request)
        if found is None or not is_verified(found[0]):
            return None
        return found


class VerifiedSessionScheme(SessionScheme):
    """The OpenAPI schema's description of it: the session cookie, as DRF's."""

    target_class = "cabinet.accounts.api_auth.VerifiedSessionAuthentication"
