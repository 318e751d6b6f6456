"""Notifications: stored for the cabinet's list and sent through the channels
the patient chose for that kind (SMS through the SMS port, email through
Django's mail)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from cabinet.notifications.models import Notification, NotificationKind, NotificationPreference
from integrations.sms.services import send_sms

CHANNELS = ("sms", "email")


def preference(user, kind: str) -> NotificationPreference:
    """The user's channels for `kind` (the defaults when never set)."""
    found = NotificationPreference.objects.filter(user=user, kind=kind).first()
    return found or NotificationPreference(user=user, kind=kind)


def wants(user, kind: str, channel: str) -> bool:
    """Whether `user` takes `kind` through `channel` ("sms" or "email");
    True for someone without an account (a guest booking)."""
    if user is None:
        return True
    return bool(getattr(preference(user, kind), channel))


def set_preferences(user, choices: dict[str, dict[str, bool]]) -> None:
    for kind, channels in choices.items():
        NotificationPreference.objects.update_or_create(
            user=user,
            kind=kind,
            defaults={channel: bool(channels.get(channel)) for channel in CHANNELS},
        )


def notify(user, kind: str, text: str, *, subject: str = "") -> Notification:
    """Store the notification and send it through every channel `user` keeps on."""
    if kind not in NotificationKind.values:
        raise ValueError(f"Unknown notification kind {kind!r}.")
    with transaction.atomic():
        notification = Notification.objects.create(user=user, kind=kind, text=text)
        prefs = preference(user, kind)
        if prefs.sms and user.phone:
            send_sms(to=user.phone, text=text, purpose=f"notify_{kind}")
        if prefs.email and user.email:
            if not subject:
                with translation.override(settings.LANGUAGE_CODE):
                    subject = _("A message from the clinic")
            transaction.on_commit(
                lambda: send_mail(subject, text, None, [user.email], fail_silently=False)
            )
    return notification
