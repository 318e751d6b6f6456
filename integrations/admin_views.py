"""The integrations status page of the Wagtail admin (clinic IT: superusers)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from integrations.status import system_statuses


def status(request):
    if not request.user.is_superuser:
        raise PermissionDenied
    return render(request, "integrations/status.html", {"statuses": system_statuses()})
