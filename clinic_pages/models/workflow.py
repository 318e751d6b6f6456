"""The medical review step of the articles' workflow and the doctors who may approve it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.models import Task, TaskState

from catalog.models import Doctor
from clinic_pages.medical_review import stamp_review


class MedicalReviewer(models.Model):
    """Links a Wagtail user to the doctor they are: only they approve articles."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="medical_reviewer",
    )
    doctor = models.OneToOneField(
        Doctor, verbose_name=_("doctor"), on_delete=models.CASCADE, related_name="reviewer"
    )

    panels = [FieldPanel("user"), FieldPanel("doctor")]

    class Meta:
        verbose_name = _("medical reviewer")
        verbose_name_plural = _("medical reviewers")

    def __str__(self) -> str:
        return f"{self.doctor} ({self.user})"


class MedicalReviewTask(Task):
    """A workflow step only a doctor (a MedicalReviewer) can approve; approving
    stamps the reviewed revision with the doctor and the date."""

    def _reviewer(self, user) -> MedicalReviewer | None:
        if user is None or not user.is_authenticated:
            return None
        return MedicalReviewer.objects.filter(user=user).select_related("doctor").first()

    def user_can_access_editor(self, obj, user):
        return self._reviewer(user) is not None

    def locked_for_user(self, obj, user):
        return self._reviewer(user) is None

    def get_actions(self, obj, user):
        if self._reviewer(user) is None:
            return []
        return [
            ("reject", _("Request changes"), True),
            ("approve", _("Approve as medical reviewer"), False),
        ]

    def get_task_states_user_can_moderate(self, user, **kwargs):
        if self._reviewer(user) is None:
            return TaskState.objects.none()
        return self.task_states.filter(status=TaskState.STATUS_IN_PROGRESS)

    def on_action(self, task_state, user, action_name, **kwargs):
        if action_name == "approve":
            reviewer = self._reviewer(user)
            if reviewer is None:
                raise PermissionError("Only a medical reviewer approves this step.")
            stamp_review(revision=task_state.revision, doctor=reviewer.doctor)
        return super().on_action(task_state, user, action_name, **kwargs)

    @classmethod
    def get_description(cls):
        return _("A doctor linked as a medical reviewer approves the article's medical content")

    class Meta:
        verbose_name = _("medical review task")
        verbose_name_plural = _("medical review tasks")
