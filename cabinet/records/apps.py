"""Django app config of the patient's medical records in the cabinet."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "cabinet.records"
    label = "records"
    verbose_name = _("Medical records")

    def ready(self) -> None:
        from cabinet.records import lab_results
        from integrations.lis import services, signals

        # Lab reports the LIS receives are saved here, and the patient is told.
        services.register_results_store(lab_results.store_lab_report)
        signals.lab_report_arrived.connect(
            lab_results.text_results_ready, dispatch_uid="cabinet.records.results_ready"
        )
