"""Django app config of booking (schedule store, free slots, appointments)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = _("Booking")

    def ready(self) -> None:
        from booking import (  # noqa: F401 (waitlist: its receivers)
            directory,
            mis_writes,
            schedule_sync,
            waitlist,
        )
        from integrations.mis import sync as mis_sync

        mis_writes.register()
        directory.connect()
        # Every MIS sync writes the schedule here, after the catalog's directory.
        mis_sync.register("schedule", schedule_sync.sync_schedule, stage=mis_sync.Stage.SCHEDULE)
