"""Django app config of the public site's Wagtail pages."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClinicPagesConfig(AppConfig):
    name = "clinic_pages"
    verbose_name = _("Site pages")

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from wagtail.models import Page
        from wagtail.signals import page_published, page_slug_changed, page_unpublished

        from catalog.signals import catalog_synced
        from clinic_pages.services import forget_section_urls, on_catalog_synced

        catalog_synced.connect(on_catalog_synced, dispatch_uid="clinic_pages.doctor_pages")
        for signal in (page_published, page_unpublished, page_slug_changed):
            signal.connect(forget_section_urls, dispatch_uid=f"clinic_pages.sections.{id(signal)}")
        post_delete.connect(
            forget_section_urls, sender=Page, dispatch_uid="clinic_pages.sections.del"
        )
