"""Symptoms patients type, mapped to the specialties that treat them (site search)."""

from __future__ import annotations

from django.db import models
from django.forms import CheckboxSelectMultiple
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet


@register_snippet
class SymptomMapping(models.Model):
    """What a patient may type («болит сердце») and the specialties that treat it:
    site search shows those specialties' doctors."""

    phrases = models.TextField(
        _("symptoms"),
        help_text=_(
            "One phrase a line, as patients write it: «болит сердце», «давление». "
            "A search that contains every word of a phrase (word endings aside) matches."
        ),
    )
    specialties = models.ManyToManyField(
        "catalog.Specialty", verbose_name=_("specialties"), related_name="symptom_mappings"
    )

    panels = [FieldPanel("phrases"), FieldPanel("specialties", widget=CheckboxSelectMultiple)]

    class Meta:
        verbose_name = _("symptom")
        verbose_name_plural = _("symptoms")
        ordering = ["pk"]

    def __str__(self) -> str:
        return ", ".join(self.phrase_list()) or str(self.pk)

    def phrase_list(self) -> list[str]:
        return [line.strip() for line in self.phrases.splitlines() if line.strip()]
