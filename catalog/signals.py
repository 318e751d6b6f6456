"""Signals the catalog sends; other apps (pages) react without catalog knowing them."""

from django.dispatch import Signal

# Sent after every catalog sync with `result` (catalog.sync.CatalogSyncResult).
catalog_synced = Signal()
