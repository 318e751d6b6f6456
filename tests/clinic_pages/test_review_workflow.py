"""E-E-A-T: an article goes live only after a doctor approves it in the workflow."""

from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from wagtail.models import Page, TaskState, WorkflowState

import pytest

from catalog.models import Doctor, Specialty
from clinic_pages.demo import _review_workflow, ensure_demo_site
from clinic_pages.models import ArticleIndexPage, ArticlePage, MedicalReviewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def newsroom(db):
    """The article section with its review workflow, a reviewing doctor and an editor."""
    ensure_demo_site()
    _review_workflow()
    therapy = Specialty.objects.create(external_id="sp-t", name="Терапия")
    doctor = Doctor.objects.create(external_id="dr-t", last_name="Рецензентова", first_name="Ольга")
    doctor.specialties.add(therapy)
    User = get_user_model()
    reviewer = User.objects.create_user("doc", password="x-long-password-1", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="Moderators"))  # Wagtail's, may publish
    MedicalReviewer.objects.create(user=reviewer, doctor=doctor)
    editor = User.objects.create_superuser("boss", password="x-long-password-2")
    index = ArticleIndexPage.objects.get()
    article = ArticlePage(title="Как снизить холестерин", summary="Коротко о питании", live=False)
    index.add_child(instance=article)
    article.save_revision(user=editor)
    return {"doctor": doctor, "reviewer": reviewer, "editor": editor, "article": article}


def test_an_unreviewed_article_cannot_go_live(newsroom):
    article = newsroom["article"]
    with pytest.raises(ValidationError):
        article.get_latest_revision().publish(user=newsroom["editor"])
    article.refresh_from_db()
    assert not article.live


def test_publish_in_the_admin_is_refused_without_review(client, newsroom):
    article = newsroom["article"]
    client.force_login(newsroom["editor"])
    response = client.post(
        f"/admin/pages/{article.pk}/edit/",
        {
            "title": article.title,
            "slug": article.slug,
            "summary": article.summary,
            "body-count": "0",
            "sources-count": "0",
            "comments-TOTAL_FORMS": "0",
            "comments-INITIAL_FORMS": "0",
            "comments-MIN_NUM_FORMS": "0",
            "comments-MAX_NUM_FORMS": "1000",
            "action-publish": "action-publish",
        },
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert not article.live
    # A new article published straight from the "add" form starts as a draft too,
    # with its Cyrillic slug transliterated.
    index = ArticleIndexPage.objects.get()
    response = client.post(
        f"/admin/pages/add/clinic_pages/articlepage/{index.pk}/",
        {
            "title": "Новая статья",
            "slug": "новая-статья",  # the admin's own slugify keeps Cyrillic
            "summary": "",
            "body-count": "0",
            "sources-count": "0",
            "comments-TOTAL_FORMS": "0",
            "comments-INITIAL_FORMS": "0",
            "comments-MIN_NUM_FORMS": "0",
            "comments-MAX_NUM_FORMS": "1000",
            "action-publish": "action-publish",
        },
    )
    assert response.status_code == 302
    draft = ArticlePage.objects.get(title="Новая статья")
    assert draft.slug == "novaya-statya"  # made Latin by the page form
    assert not draft.live


def test_a_doctors_approval_publishes_it_with_reviewer_and_date(client, newsroom):
    article, editor, reviewer = newsroom["article"], newsroom["editor"], newsroom["reviewer"]
    workflow = article.get_workflow()
    assert workflow is not None and workflow.name == "Медицинская проверка статей"
    workflow.start(article, editor)
    state = TaskState.objects.get(
        workflow_state__base_content_type__isnull=False, status="in_progress"
    )
    task = state.task.specific
    # The editor is not a doctor: nothing to approve with, and approving is refused.
    assert task.get_actions(article, editor) == []
    with pytest.raises(PermissionError):
        task.on_action(state, editor, "approve")
    assert [name for name, *_ in task.get_actions(article, reviewer)] == ["reject", "approve"]
    task.on_action(state, reviewer, "approve")

    article.refresh_from_db()
    assert article.live
    assert article.reviewed_by == newsroom["doctor"]
    assert article.reviewed_at == date.today()
    assert WorkflowState.objects.get(object_id=str(article.pk)).status == "approved"
    html = client.get(article.url).content.decode()
    assert "Медицинский эксперт" in html and "Рецензентова Ольга" in html
    assert article.reviewed_at.isoformat() in html


def test_reviewer_fields_are_not_editable_in_the_admin(newsroom):
    fields = ArticlePage.get_edit_handler().get_form_class()._meta.fields
    assert "reviewed_by" not in fields and "reviewed_at" not in fields
    assert Page.objects.filter(live=True).exclude(pk__in=ArticlePage.objects.values("pk")).exists()
