"""The page for companies: DMS and corporate programs, with an inquiry form."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.forms import WagtailAdminFormPageForm
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from clinic_pages.blocks import content_blocks
from clinic_pages.models.base import ClinicPage


class CorporateInquiryField(AbstractFormField):
    page = ParentalKey("CorporatePage", on_delete=models.CASCADE, related_name="form_fields")


class CorporatePage(ClinicPage, AbstractEmailForm):
    """For companies: DMS and corporate programs, with an inquiry form whose fields
    editors choose. Inquiries are kept in the admin (Forms) and emailed to the
    clinic's sales address."""

    intro = RichTextField(_("intro"), blank=True)
    body = StreamField(content_blocks(), blank=True, verbose_name=_("body"))
    thank_you_text = RichTextField(_("thank-you text"), blank=True)

    base_form_class = WagtailAdminFormPageForm
    # A form page carries a CSRF token and answers POSTs: never from the page cache.
    cache_seconds = 0
    max_count = 1
    parent_page_types = ["clinic_pages.HomePage"]
    subpage_types: list[str] = []
    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("body"),
        InlinePanel("form_fields", label=_("Inquiry form fields")),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [FieldPanel("to_address"), FieldPanel("from_address"), FieldPanel("subject")],
            heading=_("Where inquiries are emailed"),
        ),
    ]

    class Meta:
        verbose_name = _("corporate clients page")
