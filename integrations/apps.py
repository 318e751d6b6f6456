"""Django app config of the integration layer."""

from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from integrations.lis import notifications  # noqa: F401 - connects the receiver
