"""Django app config of the LIS path: inbound lab events, poll cursors, their tasks and admin."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LisConfig(AppConfig):
    name = "integrations.lis"
    label = "lis"
    verbose_name = _("Lab results (LIS)")
