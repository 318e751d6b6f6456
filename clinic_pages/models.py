"""Wagtail page types of the public site and the clinic's site settings."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtailseo.models import SeoMixin

from booking.selectors import next_free_slots
from catalog.models import Doctor


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


class HomePage(SeoMixin):
    intro = models.CharField(_("intro"), max_length=300, blank=True)
    body = StreamField(
        [
            ("heading", blocks.CharBlock(form_classname="title", label=_("Heading"))),
            ("paragraph", blocks.RichTextBlock(label=_("Paragraph"))),
        ],
        blank=True,
        verbose_name=_("body"),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    promote_panels = SeoMixin.seo_panels
    max_count = 1
    subpage_types = ["clinic_pages.DoctorIndexPage"]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["doctor_index"] = DoctorIndexPage.objects.live().child_of(self).first()
        return context


class DoctorIndexPage(SeoMixin):
    intro = models.CharField(_("intro"), max_length=300, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    promote_panels = SeoMixin.seo_panels
    parent_page_types = ["clinic_pages.HomePage"]
    subpage_types = ["clinic_pages.DoctorPage"]
    max_count = 1

    class Meta:
        verbose_name = _("doctors index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["doctor_pages"] = (
            DoctorPage.objects.live()
            .child_of(self)
            .filter(doctor__is_active=True)
            .select_related("doctor")
            .prefetch_related("doctor__specialties")
            .order_by("doctor__last_name", "doctor__first_name")
        )
        return context


class DoctorPage(SeoMixin):
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
    ]
    promote_panels = SeoMixin.seo_panels
    parent_page_types = ["clinic_pages.DoctorIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("doctor page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["free_slots"] = next_free_slots(doctor=self.doctor)
        return context
