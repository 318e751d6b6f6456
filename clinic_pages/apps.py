"""Django app config of the public site's Wagtail pages."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClinicPagesConfig(AppConfig):
    name = "clinic_pages"
    verbose_name = _("Site pages")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from wagtail.models import Page
        from wagtail.signals import page_published, page_slug_changed, page_unpublished

        from booking import receipt
        from catalog import models as catalog_models
        from catalog.signals import catalog_synced
        from clinic_pages import page_cache
        from clinic_pages.models import ClinicSettings
        from clinic_pages.selectors import preparation_of
        from clinic_pages.services import on_catalog_synced

        receipt.register_preparation_source(preparation_of)

        catalog_synced.connect(on_catalog_synced, dispatch_uid="clinic_pages.doctor_pages")
        for signal in (page_published, page_unpublished, page_slug_changed):
            signal.connect(
                page_cache.forget_section_urls, dispatch_uid=f"clinic_pages.sections.{id(signal)}"
            )
        post_delete.connect(
            page_cache.forget_section_urls, sender=Page, dispatch_uid="clinic_pages.sections.del"
        )

        # The page cache: anything a page shows may have changed.
        catalog_synced.connect(page_cache.on_catalog_synced, dispatch_uid="clinic_pages.cache.sync")
        for signal in (page_published, page_unpublished, page_slug_changed):
            signal.connect(
                page_cache.bump_site_version, dispatch_uid=f"clinic_pages.cache.{id(signal)}"
            )
        post_delete.connect(
            page_cache.bump_site_version, sender=Page, dispatch_uid="clinic_pages.cache.del"
        )
        for model in (
            ClinicSettings,
            catalog_models.Branch,
            catalog_models.Specialty,
            catalog_models.Service,
            catalog_models.Doctor,
            catalog_models.LabTest,
            catalog_models.CheckupProgram,
        ):
            post_save.connect(
                page_cache.bump_site_version,
                sender=model,
                dispatch_uid=f"clinic_pages.cache.{model.__name__}",
            )
