"""The local copy of the MIS schedule, in UTC."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import Branch, Doctor


class ScheduleInterval(models.Model):
    """One interval of a doctor's schedule as the MIS reported it."""

    class Kind(models.TextChoices):
        WORK = "work", _("work")
        BUSY = "busy", _("busy")
        BREAK = "break", _("break")

    doctor = models.ForeignKey(Doctor, on_delete=models.CASCADE, related_name="schedule")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    # Only work intervals have a branch; busy and break intervals belong to the doctor.
    branch = models.ForeignKey(Branch, null=True, blank=True, on_delete=models.CASCADE)
    start = models.DateTimeField()
    end = models.DateTimeField()

    class Meta:
        verbose_name = _("schedule interval")
        verbose_name_plural = _("schedule intervals")
        constraints = [
            models.UniqueConstraint(
                fields=["doctor", "kind", "start", "end"], name="schedule_interval_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="schedule_interval_positive"
            ),
        ]
        indexes = [models.Index(fields=["doctor", "start"])]

    def __str__(self) -> str:
        return f"{self.doctor_id} {self.kind} {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M}"
