"""Django admin of inbound lab events: what failed and why, and processing it again.

The body (medical data) is not shown: the error and the ids say what went wrong.
"""

from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from integrations.lis import webhook
from integrations.lis.models import InboundLabEvent, LabPollCursor


@admin.register(InboundLabEvent)
class InboundLabEventAdmin(admin.ModelAdmin):
    list_display = (
        "received_at",
        "lab",
        "event_id",
        "channel",
        "status",
        "attempts",
        "patient_mis_id",
        "report_external_id",
        "error",
    )
    list_filter = ("status", "channel", "lab")
    search_fields = ("event_id", "patient_mis_id", "report_external_id")
    exclude = ("body",)
    readonly_fields = (
        "lab",
        "event_id",
        "channel",
        "status",
        "attempts",
        "error",
        "patient_mis_id",
        "report_external_id",
        "received_at",
        "processed_at",
    )
    actions = ["process_again"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Process the selected webhook events again"))
    def process_again(self, request, queryset):
        chosen = queryset.filter(
            channel=InboundLabEvent.Channel.WEBHOOK, status=InboundLabEvent.Status.FAILED
        )
        ids = list(chosen.values_list("pk", flat=True))
        chosen.update(status=InboundLabEvent.Status.RECEIVED, error="")
        for event_id in ids:
            transaction.on_commit(lambda pk=event_id: webhook.enqueue_processing(event_id=pk))
        count = len(ids)
        self.message_user(
            request,
            ngettext("%(count)d event queued again.", "%(count)d events queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(LabPollCursor)
class LabPollCursorAdmin(admin.ModelAdmin):
    list_display = ("lab", "since", "last_success_at", "last_attempt_at", "last_error")
    readonly_fields = ("lab", "last_success_at", "last_attempt_at", "last_error")
