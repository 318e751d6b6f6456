"""Django app config of the catalog (reference data synced from the MIS)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalog")

    def ready(self) -> None:
        from catalog import prices, sync
        from integrations.commerceml import prices as price_list
        from integrations.mis import sync as mis_sync

        # The MIS sync writes the directory here; 1C's price list writes prices.
        mis_sync.register("catalog", sync.sync_catalog, stage=mis_sync.Stage.DIRECTORY)
        price_list.register_price_book(prices.PRICE_BOOK)
