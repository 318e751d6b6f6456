"""The site's home page: its sections and the way into the doctor finder."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from clinic_pages.blocks import content_blocks
from clinic_pages.models.base import ClinicPage
from clinic_pages.models.doctors import DoctorIndexPage


class HomePage(ClinicPage):
    intro = models.CharField(_("intro"), max_length=300, blank=True)
    body = StreamField(content_blocks(), blank=True, verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    max_count = 1
    subpage_types = [
        "clinic_pages.DoctorIndexPage",
        "clinic_pages.ServiceIndexPage",
        "clinic_pages.LabTestIndexPage",
        "clinic_pages.CheckupIndexPage",
        "clinic_pages.ArticleIndexPage",
        "clinic_pages.ContactsPage",
        "clinic_pages.CorporatePage",
    ]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["sections"] = self.get_children().live().in_menu().specific()
        context["doctor_index"] = DoctorIndexPage.objects.live().child_of(self).first()
        return context
