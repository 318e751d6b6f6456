"""Template tags of booking."""

from django import template
from django.conf import settings
from django.middleware.csrf import get_token

from booking import consent, people

register = template.Library()


@register.simple_tag(takes_context=True)
def guest_phone_code(context) -> bool:
    """Whether this visitor must confirm the phone by SMS code before booking."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return settings.BOOKING_GUEST_PHONE_CODE and not (user and user.is_authenticated)


@register.simple_tag(takes_context=True)
def booking_visitor(context) -> dict:
    """Who is booking: a guest, or a logged-in patient with the people they
    may book for, whether they signed the consent in the cabinet, and the
    CSRF token their API calls carry (only then: a guest's page stays cacheable)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not (user and user.is_authenticated):
        return {"logged_in": False}
    return {
        "logged_in": True,
        "user": user,
        "people": people.people_of(user),
        "consent_signed": consent.signed_in_cabinet(user),
        "csrf_token": get_token(request),
    }
