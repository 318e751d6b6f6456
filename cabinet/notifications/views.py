"""The notification list and the channel preferences."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cabinet.notifications.models import Notification, NotificationKind
from cabinet.notifications.services import CHANNELS, preference, set_preferences


@login_required
def notification_list(request):
    notifications = list(Notification.objects.filter(user=request.user)[:100])
    unread = [n.pk for n in notifications if n.read_at is None]
    if unread:
        Notification.objects.filter(pk__in=unread).update(read_at=timezone.now())
    return render(
        request,
        "cabinet/notifications.html",
        {"notifications": notifications, "unread": set(unread)},
    )


@login_required
def notification_preferences(request):
    if request.method == "POST":
        choices = {
            kind: {channel: request.POST.get(f"{kind}-{channel}") == "on" for channel in CHANNELS}
            for kind in NotificationKind.values
        }
        set_preferences(request.user, choices)
        messages.success(request, _("Notification settings saved."))
        return redirect("cabinet:notification_preferences")
    rows = [
        (kind, label, preference(request.user, kind)) for kind, label in NotificationKind.choices
    ]
    return render(request, "cabinet/notification_preferences.html", {"rows": rows})
