"""Django app config of the public site's Wagtail pages."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClinicPagesConfig(AppConfig):
    name = "clinic_pages"
    verbose_name = _("Site pages")

    def ready(self) -> None:
        from catalog.signals import catalog_synced
        from clinic_pages.services import on_catalog_synced

        catalog_synced.connect(on_catalog_synced, dispatch_uid="clinic_pages.doctor_pages")
