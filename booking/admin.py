"""Appointments in the Django admin: read-only, with the actions that revoke
their SMS manage links (a patient calls: the SMS was forwarded, the phone lost)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from booking.models import Appointment
from booking.services import revoke_links

# No names, phones or birth dates here: the registrar finds a visit by its
# MIS number or its doctor and time.
SHOWN = (
    "public_id",
    "mis_appointment_id",
    "doctor",
    "service",
    "branch",
    "start",
    "end",
    "status",
    "channel",
    "link_version",
)


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ("start", "doctor", "status", "mis_appointment_id")
    list_filter = ("status",)
    date_hierarchy = "start"
    search_fields = ("=mis_appointment_id",)
    list_select_related = ("doctor",)
    fields = SHOWN
    readonly_fields = SHOWN
    actions = ["revoke_sms_links", "revoke_and_text_new_link"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _revoke(self, request, queryset, *, text_new_link: bool) -> None:
        for appointment in queryset:
            revoke_links(appointment=appointment, text_new_link=text_new_link)
            self.log_change(request, appointment, "SMS links revoked")
        self.message_user(request, _("SMS links revoked: %(count)d.") % {"count": len(queryset)})

    @admin.action(description=_("Revoke the SMS links"), permissions=["change"])
    def revoke_sms_links(self, request, queryset):
        self._revoke(request, queryset, text_new_link=False)

    @admin.action(description=_("Revoke the SMS links and text a new one"), permissions=["change"])
    def revoke_and_text_new_link(self, request, queryset):
        self._revoke(request, queryset, text_new_link=True)
