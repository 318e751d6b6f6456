"""The articles section: medical articles, live only after a doctor reviewed them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtailseo.models import SeoType

from catalog.models import Doctor
from clinic_pages import jsonld
from clinic_pages.blocks import SourceBlock, content_blocks
from clinic_pages.models.base import ClinicPage, IndexPage


class ArticleIndexPage(IndexPage):
    subpage_types = ["clinic_pages.ArticlePage"]

    class Meta:
        verbose_name = _("articles index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["children"] = (
            ArticlePage.objects.live().child_of(self).order_by("-first_published_at")
        )
        return context


class ArticlePage(ClinicPage):
    """A medical article: written by a doctor, published only after a doctor reviewed it.

    `reviewed_by` and `reviewed_at` are not editor fields: the medical review step
    of the workflow (MedicalReviewTask) stamps them when a doctor approves.
    """

    author = models.ForeignKey(
        Doctor,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = StreamField(content_blocks(), blank=True, verbose_name=_("body"))
    sources = StreamField([("source", SourceBlock())], blank=True, verbose_name=_("sources"))
    reviewed_by = models.ForeignKey(
        Doctor,
        verbose_name=_("medical reviewer"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="reviewed_articles",
    )
    reviewed_at = models.DateField(_("date reviewed"), null=True, blank=True, editable=False)

    content_panels = [
        *Page.content_panels,
        FieldPanel("author"),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("sources"),
        HelpPanel(
            content=_(
                "An article goes live only after a doctor approves it in the medical "
                "review step: submit it for moderation when it is ready."
            )
        ),
    ]
    parent_page_types = ["clinic_pages.ArticleIndexPage"]
    subpage_types: list[str] = []
    seo_content_type = SeoType.ARTICLE

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_by_id is not None and self.reviewed_at is not None

    @property
    def seo_author(self) -> str:
        return self.author.full_name if self.author else ""

    def save(self, *args, **kwargs):
        # The backstop behind the admin's before_publish_page hook: whatever path
        # publishes (admin, shell, API), an article never goes live unreviewed.
        if self.live and not self.is_reviewed:
            if self.pk is None:
                # Wagtail's "Publish" on a new page adds it live before the
                # before_publish_page hook refuses: it starts as a draft instead.
                self.live = False
            else:
                raise ValidationError(
                    _("An article goes live only after a doctor has reviewed it.")
                )
        return super().save(*args, **kwargs)

    def page_structured_data(self, request) -> list[dict]:
        return [
            jsonld.medical_web_page(
                name=self.title,
                url=self.get_full_url(request),
                description=self.summary,
                author=_person(self.author, request),
                reviewer=_person(self.reviewed_by, request),
                last_reviewed=self.reviewed_at,
                published=self.first_published_at,
                modified=self.last_published_at,
                citations=[s.value["title"] for s in self.sources],
            )
        ]


def _person(doctor: Doctor | None, request) -> dict | None:
    if doctor is None:
        return None
    page = getattr(doctor, "page", None)
    return jsonld.person(
        name=doctor.full_name,
        url=page.get_full_url(request) if page else "",
        job_title=", ".join(s.name for s in doctor.specialties.all()),
    )
