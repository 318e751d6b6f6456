"""Template tags of booking."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag(takes_context=True)
def guest_phone_code(context) -> bool:
    """Whether this visitor must confirm the phone by SMS code before booking."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return settings.BOOKING_GUEST_PHONE_CODE and not (user and user.is_authenticated)
