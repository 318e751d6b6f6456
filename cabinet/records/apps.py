"""Django app config of the patient's medical records in the cabinet."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "cabinet.records"
    label = "records"
    verbose_name = _("Medical records")
