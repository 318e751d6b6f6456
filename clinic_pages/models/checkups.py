"""The check-up programs section: a program's page with its price calculator."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from catalog.models import CheckupProgram
from clinic_pages import jsonld
from clinic_pages.blocks import content_blocks, faq_blocks
from clinic_pages.checkup_calculator import checkup_items, checkup_price, checkup_total
from clinic_pages.models.base import ClinicPage, IndexPage, clinic_name, faq_items
from clinic_pages.sample_collection import sample_collection


class CheckupIndexPage(IndexPage):
    subpage_types = ["clinic_pages.CheckupPage"]
    child_related = ("program",)

    @property
    def child_model(self):
        return CheckupPage

    class Meta:
        verbose_name = _("check-up programs index")


class CheckupPage(ClinicPage):
    """A check-up program with a price calculator: the patient ticks items, sees the total."""

    program = models.ForeignKey(
        CheckupProgram,
        verbose_name=_("check-up program"),
        on_delete=models.PROTECT,
        related_name="pages",
    )
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = StreamField(content_blocks(), blank=True, verbose_name=_("body"))
    faq = StreamField(faq_blocks(), blank=True, verbose_name=_("questions and answers"))

    content_panels = [
        *Page.content_panels,
        HelpPanel(content=_("The tests, services and their prices come from the price list.")),
        FieldPanel("program"),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("faq"),
    ]
    parent_page_types = ["clinic_pages.CheckupIndexPage"]
    subpage_types: list[str] = []
    shows_contraindications_warning = True

    cache_seconds = 60  # the free times of the procedure room change with every booking

    class Meta:
        verbose_name = _("check-up page")

    @property
    def list_price(self) -> Decimal:
        return checkup_price(program=self.program)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        items = checkup_items(program=self.program)
        chosen = request.GET.getlist("item") if "calculate" in request.GET else None
        context["items"] = items
        context["chosen"] = set(chosen) if chosen is not None else {i.key for i in items}
        context["total"] = checkup_total(items=items, chosen=chosen)
        context["preparations"] = sorted(
            {t.preparation for t in self.program.lab_tests.all() if t.preparation}
        )
        context.update(sample_collection(request))
        return context

    def page_structured_data(self, request) -> list[dict]:
        return [
            jsonld.priced_service(
                name=self.program.name,
                url=self.get_full_url(request),
                price=checkup_price(program=self.program),
                provider_name=clinic_name(),
                description=self.summary or self.program.description,
            ),
            *faq_items(self.faq),
        ]
