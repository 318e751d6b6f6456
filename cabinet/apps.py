"""Django app config of the patient cabinet."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CabinetConfig(AppConfig):
    name = "cabinet"
    verbose_name = _("Patient cabinet")

    def ready(self) -> None:
        from cabinet import booking_sources
        from cabinet.accounts import lockout, otp_seeds  # noqa: F401 (lockout: its signals)

        booking_sources.register()
        otp_seeds.connect()
