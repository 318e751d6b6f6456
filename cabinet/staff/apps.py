"""Django app config of clinic staff roles (who may open which medical card)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "cabinet.staff"
    label = "staff"
    verbose_name = _("Clinic staff")
