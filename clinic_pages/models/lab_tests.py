"""The laboratory section: a page for each lab test, with the procedure room's times."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from catalog.models import LabTest
from clinic_pages import jsonld
from clinic_pages.blocks import content_blocks, faq_blocks
from clinic_pages.models.base import ClinicPage, IndexPage, clinic_name, faq_items
from clinic_pages.sample_collection import sample_collection


class LabTestIndexPage(IndexPage):
    subpage_types = ["clinic_pages.LabTestPage"]
    child_related = ("lab_test",)

    @property
    def child_model(self):
        return LabTestPage

    class Meta:
        verbose_name = _("lab tests index")


class LabTestPage(ClinicPage):
    lab_test = models.ForeignKey(
        LabTest, verbose_name=_("lab test"), on_delete=models.PROTECT, related_name="pages"
    )
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = StreamField(content_blocks(), blank=True, verbose_name=_("body"))
    faq = StreamField(faq_blocks(), blank=True, verbose_name=_("questions and answers"))

    content_panels = [
        *Page.content_panels,
        HelpPanel(
            content=_(
                "Biomaterial, preparation, turnaround and price come from the laboratory's "
                "price list."
            )
        ),
        FieldPanel("lab_test"),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("faq"),
    ]
    parent_page_types = ["clinic_pages.LabTestIndexPage"]
    subpage_types: list[str] = []
    shows_contraindications_warning = True

    cache_seconds = 60  # the free times of the procedure room change with every booking

    class Meta:
        verbose_name = _("lab test page")

    @property
    def list_price(self) -> Decimal:
        return self.lab_test.price

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["preparations"] = [self.lab_test.preparation] if self.lab_test.preparation else []
        context.update(sample_collection(request))
        return context

    def page_structured_data(self, request) -> list[dict]:
        test = self.lab_test
        url = self.get_full_url(request)
        return [
            jsonld.medical_test(
                name=test.name,
                url=url,
                description=self.summary or test.preparation,
                code=test.code,
            ),
            jsonld.priced_service(
                name=test.name, url=url, price=test.price, provider_name=clinic_name()
            ),
            *faq_items(self.faq),
        ]
