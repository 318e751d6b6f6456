"""Django admin of staff roles."""

from django.contrib import admin

from cabinet.staff.models import StaffProfile


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "doctor", "department")
    list_filter = ("role",)
    raw_id_fields = ("user", "doctor")
