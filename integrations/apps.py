"""Django app config of the integration layer."""

from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        # The LIS admin and the results-ready receiver register themselves on import.
        from integrations.lis import admin, notifications  # noqa: F401
