"""Django app config of booking (schedule store, free slots, appointments)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = _("Booking")

    def ready(self) -> None:
        from booking import directory, mis_writes, waitlist  # noqa: F401 (waitlist: its receivers)

        mis_writes.register()
        directory.connect()
