"""The clinic's site settings: its name and the phone of the Call button."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


@register_setting(icon="site")
class ClinicSettings(BaseGenericSetting):
    """What every page shows: the clinic's name and the phone of the Call button."""

    name = models.CharField(_("clinic name"), max_length=200, default="Клиника")
    phone = models.CharField(
        _("contact phone"),
        max_length=20,
        blank=True,
        help_text=_("Dialled by the sticky Call button, e.g. +74950000000."),
    )

    class Meta:
        verbose_name = _("clinic")

    panels = [FieldPanel("name"), FieldPanel("phone")]
