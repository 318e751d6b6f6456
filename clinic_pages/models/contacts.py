"""The contacts section: the branches, each with its map point, hours and photo."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, HelpPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from catalog.models import Branch
from clinic_pages import jsonld
from clinic_pages.blocks import OpeningHoursBlock
from clinic_pages.models.base import ClinicPage, IndexPage, image_url


class ContactsPage(IndexPage):
    subpage_types = ["clinic_pages.BranchPage"]
    index_template = "clinic_pages/contacts_page.html"

    class Meta:
        verbose_name = _("contacts page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["branch_pages"] = (
            BranchPage.objects.live().child_of(self).select_related("branch").order_by("title")
        )
        return context


class BranchPage(ClinicPage):
    """A branch: address and phone from the MIS; map point, hours and photo from editors."""

    branch = models.OneToOneField(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="page"
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    opening_hours = StreamField(
        [("hours", OpeningHoursBlock())], blank=True, verbose_name=_("opening hours")
    )
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    how_to_get_there = RichTextField(_("how to get there"), blank=True)

    content_panels = [
        *Page.content_panels,
        HelpPanel(content=_("The address and phone come from the MIS.")),
        FieldPanel("branch"),
        MultiFieldPanel([FieldPanel("latitude"), FieldPanel("longitude")], heading=_("Map")),
        FieldPanel("opening_hours"),
        FieldPanel("photo"),
        FieldPanel("how_to_get_there"),
    ]
    parent_page_types = ["clinic_pages.ContactsPage"]
    subpage_types: list[str] = []
    seo_image_sources = ["og_image", "photo"]

    class Meta:
        verbose_name = _("branch page")

    def page_structured_data(self, request) -> list[dict]:
        branch = self.branch
        return [
            jsonld.medical_clinic(
                name=branch.name,
                url=self.get_full_url(request),
                address=branch.address,
                telephone=branch.phone,
                latitude=self.latitude,
                longitude=self.longitude,
                opening_hours=[
                    (h.value["days"], h.value["opens"], h.value["closes"])
                    for h in self.opening_hours
                ],
                image_url=image_url(self.photo, request),
            )
        ]
