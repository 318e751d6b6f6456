"""The audit log in the Django admin: read-only (the database refuses changes anyway)."""

from django.contrib import admin

from cabinet.audit.models import AuditRecord


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    list_display = ("id", "at", "actor_name", "actor_role", "action", "object_type", "object_id")
    list_filter = ("action", "object_type", "actor_role")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
