"""Django app config of the audit log of medical data."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "cabinet.audit"
    label = "audit"
    verbose_name = _("Audit log")
