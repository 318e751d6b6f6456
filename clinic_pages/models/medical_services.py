"""The services section: the price list's services, each with its doctors."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from catalog.models import Service
from clinic_pages import jsonld
from clinic_pages.blocks import content_blocks, faq_blocks
from clinic_pages.models.base import ClinicPage, IndexPage, clinic_name, faq_items
from clinic_pages.models.doctors import DoctorPage
from clinic_pages.sample_collection import sample_collection
from clinic_pages.sanitize import plain_text


class ServiceIndexPage(IndexPage):
    subpage_types = ["clinic_pages.ServicePage"]
    child_related = ("service",)

    @property
    def child_model(self):
        return ServicePage

    class Meta:
        verbose_name = _("services index")


class ServicePage(ClinicPage):
    """A service of the price list; its price and duration always come from the catalog."""

    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="pages"
    )
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = StreamField(content_blocks(), blank=True, verbose_name=_("body"))
    preparation = RichTextField(_("preparation"), blank=True)
    contraindications = RichTextField(_("contraindications"), blank=True)
    faq = StreamField(faq_blocks(), blank=True, verbose_name=_("questions and answers"))

    content_panels = [
        *Page.content_panels,
        HelpPanel(content=_("The price and duration come from the price list of the MIS.")),
        FieldPanel("service"),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("preparation"),
        FieldPanel("contraindications"),
        FieldPanel("faq"),
    ]
    parent_page_types = ["clinic_pages.ServiceIndexPage"]
    subpage_types: list[str] = []
    shows_contraindications_warning = True

    class Meta:
        verbose_name = _("service page")

    @property
    def list_price(self) -> Decimal:
        return self.service.price

    def doctor_pages(self):
        return (
            DoctorPage.objects.live()
            .filter(doctor__services=self.service, doctor__is_active=True)
            .select_related("doctor")
            .order_by("doctor__last_name")
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["doctor_pages"] = self.doctor_pages()
        # A service of the procedure room (a blood draw) is booked there, on this page.
        context.update(sample_collection(request, service=self.service))
        return context

    def page_structured_data(self, request) -> list[dict]:
        service = self.service
        return [
            jsonld.medical_procedure(
                name=service.name,
                url=self.get_full_url(request),
                description=self.summary,
                code=service.code,
                preparation=plain_text(self.preparation),
            ),
            jsonld.priced_service(
                name=service.name,
                url=self.get_full_url(request),
                price=service.price,
                provider_name=clinic_name(),
            ),
            *faq_items(self.faq),
        ]
