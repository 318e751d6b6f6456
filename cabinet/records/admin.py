"""Django admin of the clinic's reference ranges (the medical records stay out of it)."""

from django.contrib import admin

from cabinet.records.models import ReferenceRange


@admin.register(ReferenceRange)
class ReferenceRangeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "sex", "age_from", "age_to", "low", "high", "unit")
    list_filter = ("sex",)
    search_fields = ("code", "name")
