"""Django app config of the integration layer (the outbox; LIS and SMS are apps of their own)."""

from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from integrations import outbox, tasks

        # After the commit, outbox messages go to a worker through this task.
        outbox.set_worker(tasks.deliver_outbox_message.delay)
