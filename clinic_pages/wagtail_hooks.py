"""Wagtail admin hooks: articles go live only through the medical review step."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from wagtail import hooks
from wagtail.snippets.models import register_snippet

from clinic_pages.models import ArticlePage, MedicalReviewer

register_snippet(MedicalReviewer)


@hooks.register("before_publish_page")
def require_medical_review(request, page):
    """Publishing an article directly is refused: a doctor approves it in the
    workflow, and that approval publishes it."""
    if isinstance(page.specific, ArticlePage):
        messages.error(
            request,
            _(
                "An article is published only after a doctor approves it: "
                "use “Submit for moderation” instead of “Publish”."
            ),
        )
        if page.pk:
            return redirect("wagtailadmin_pages:edit", page.pk)
        return redirect("wagtailadmin_explore", page.get_parent().pk if page.path else "")
    return None
