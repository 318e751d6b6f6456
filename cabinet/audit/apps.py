"""Django app config of the audit log of medical data."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "cabinet.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from cabinet.audit import login_failures  # noqa: F401 (its signal)
        from cabinet.audit.officers import ensure_security_officers_group

        post_migrate.connect(ensure_security_officers_group, sender=self)
