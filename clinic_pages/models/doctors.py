"""The doctors section: the finder's index page and a page for each doctor."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from catalog.models import Branch, Doctor
from clinic_pages import jsonld
from clinic_pages.blocks import CertificateBlock
from clinic_pages.doctor_finder import (
    doctor_page_free_slots,
    find_doctors,
    remember_branch,
    remembered_branch,
)
from clinic_pages.models.base import ClinicPage, IndexPage, image_url


class DoctorIndexPage(IndexPage):
    """The doctors section: the doctor finder (specialty, city or branch, date, online)."""

    subpage_types = ["clinic_pages.DoctorPage"]
    index_template = "clinic_pages/doctor_index_page.html"
    cache_seconds = 60  # the cards list free times

    class Meta:
        verbose_name = _("doctors index")

    def doctor_pages(self):
        return DoctorPage.objects.live().child_of(self).filter(doctor__is_active=True)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["finder"] = find_doctors(
            params=request.GET,
            remembered=remembered_branch(request),
            doctor_pages=self.doctor_pages(),
        )
        return context

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        finder = getattr(response, "context_data", {}).get("finder")
        if finder is not None and finder.filters.place_asked:
            # A choice made here is kept: the next visit opens on this city or branch.
            token = finder.filters.place_token_asked
            if token != remembered_branch(request):
                remember_branch(response, token)
        return response


class DoctorPage(ClinicPage):
    """A doctor's page: directory data from the MIS, bio and photo from editors."""

    doctor = models.OneToOneField(
        Doctor, verbose_name=_("doctor"), on_delete=models.PROTECT, related_name="page"
    )
    bio = RichTextField(_("biography"), blank=True)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    certificates = StreamField(
        [("certificate", CertificateBlock())], blank=True, verbose_name=_("certificates")
    )

    content_panels = [
        *Page.content_panels,
        HelpPanel(
            content=_(
                "Name, specialties, experience and category come from the MIS "
                "and are updated by the sync; edit them there."
            )
        ),
        FieldPanel("doctor", read_only=True),
        FieldPanel("photo"),
        FieldPanel("bio"),
        FieldPanel("certificates"),
    ]
    parent_page_types = ["clinic_pages.DoctorIndexPage"]
    subpage_types: list[str] = []
    seo_image_sources = ["og_image", "photo"]
    cache_seconds = 60  # the free slots change with every booking and sync

    class Meta:
        verbose_name = _("doctor page")

    @property
    def seo_description(self) -> str:
        return self.search_description or f"{self.doctor.full_name}: {doctor_summary(self.doctor)}"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["free_slots"] = doctor_page_free_slots(request, doctor=self.doctor)
        return context

    def page_structured_data(self, request) -> list[dict]:
        doctor = self.doctor
        return [
            jsonld.physician(
                name=doctor.full_name,
                url=self.get_full_url(request),
                specialties=[s.name for s in doctor.specialties.all()],
                description=doctor_summary(doctor),
                image_url=image_url(self.photo, request),
                branches=[_branch_address(b) for b in doctor.branches.all()],
            )
        ]


def doctor_summary(doctor: Doctor) -> str:
    """«Кардиология, стаж 12 лет, высшая категория» for lists and structured data."""
    parts = [", ".join(s.name for s in doctor.specialties.all())]
    if doctor.experience_years is not None:
        parts.append(f"стаж {doctor.experience_years} {_years_ru(doctor.experience_years)}")
    parts += [doctor.category, doctor.degree]
    return ", ".join(p for p in parts if p)


def _years_ru(n: int) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return "год"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return "года"
    return "лет"


def _branch_address(branch: Branch) -> dict:
    return jsonld.postal_address(branch.address)
