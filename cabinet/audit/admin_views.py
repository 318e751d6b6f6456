"""The security officer's pages in the Wagtail admin: the alerts, newest first,
one alert with the records behind it, and its acknowledgement."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from wagtail.admin.auth import permission_required

from cabinet.audit.alerts import acknowledge, evidence
from cabinet.audit.models import AuditAlert

VIEW, ACKNOWLEDGE = "audit.view_auditalert", "audit.change_auditalert"


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What was found: who was asked, why it was fine or what was done."),
    )


@permission_required(VIEW)
def alert_list(request: HttpRequest) -> HttpResponse:
    alerts = AuditAlert.objects.select_related("acknowledged_by")
    if request.GET.get("open"):
        alerts = alerts.filter(acknowledged_at__isnull=True)
    page = Paginator(alerts, 50).get_page(request.GET.get("p"))
    return render(
        request, "cabinet/audit/alerts.html", {"page": page, "only_open": "open" in request.GET}
    )


@permission_required(VIEW)
@require_http_methods(["GET", "POST"])
def alert_detail(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = get_object_or_404(AuditAlert.objects.select_related("acknowledged_by"), pk=alert_id)
    may_acknowledge = request.user.has_perm(ACKNOWLEDGE)
    form = AcknowledgeForm(request.POST or None, initial={"note": alert.note})
    if request.method == "POST":
        if not may_acknowledge:
            raise PermissionDenied
        if form.is_valid():
            acknowledge(alert=alert, user=request.user, note=form.cleaned_data["note"])
            messages.success(request, _("Alert #%(id)s acknowledged.") % {"id": alert.pk})
            return redirect("audit_alerts")
    return render(
        request,
        "cabinet/audit/alert.html",
        {"alert": alert, "form": form, "may_acknowledge": may_acknowledge, **evidence(alert)},
    )
