"""The patient's medical records as the cabinet stores them (sensitive text encrypted)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cabinet.accounts.models import Patient
from clinic_site.crypto import (
    EncryptedDecimalField,
    EncryptedTextField,
    get_record_file_storage,
)


class Visit(models.Model):
    """A visit to a doctor with the doctor's protocol."""

    patient = models.ForeignKey(
        Patient, verbose_name=_("patient"), on_delete=models.CASCADE, related_name="visits"
    )
    external_id = models.CharField(_("external id"), max_length=64)
    doctor_external_id = models.CharField(_("doctor (MIS id)"), max_length=64, blank=True)
    branch_external_id = models.CharField(_("branch (MIS id)"), max_length=64, blank=True)
    start = models.DateTimeField(_("start"))
    protocol = EncryptedTextField(_("protocol"), blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-start", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "external_id"], name="visit_once")
        ]

    def __str__(self) -> str:
        return f"{self.external_id} {self.start:%Y-%m-%d}"


class Diagnosis(models.Model):
    """A diagnosis of a visit: ICD-10 code and name (both encrypted)."""

    class Kind(models.TextChoices):
        MAIN = "main", _("main")
        CONCOMITANT = "concomitant", _("concomitant")
        COMPLICATION = "complication", _("complication")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="diagnoses")
    position = models.PositiveSmallIntegerField(default=0)
    code = EncryptedTextField(_("ICD-10 code"))
    name = EncryptedTextField(_("diagnosis"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.MAIN)

    class Meta:
        verbose_name = _("diagnosis")
        verbose_name_plural = _("diagnoses")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"diagnosis #{self.pk}"  # never the (encrypted) text itself: str() ends up in logs


class Referral(models.Model):
    """What the doctor referred the patient to: a lab test, an examination."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="referrals")
    position = models.PositiveSmallIntegerField(default=0)
    name = EncryptedTextField(_("referral"))

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"referral #{self.pk}"


class Prescription(models.Model):
    """A medicine prescribed with dose, frequency and duration."""

    patient = models.ForeignKey(
        Patient, verbose_name=_("patient"), on_delete=models.CASCADE, related_name="prescriptions"
    )
    external_id = models.CharField(_("external id"), max_length=64)
    visit = models.ForeignKey(
        Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="prescriptions"
    )
    medicine = EncryptedTextField(_("medicine"))
    dose = EncryptedTextField(_("dose"), blank=True)
    frequency = EncryptedTextField(_("frequency"), blank=True)
    instructions = EncryptedTextField(_("instructions"), blank=True)
    start = models.DateField(_("start"))
    duration_days = models.PositiveIntegerField(_("duration, days"))

    class Meta:
        verbose_name = _("prescription")
        verbose_name_plural = _("prescriptions")
        ordering = ["-start", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "external_id"], name="prescription_once")
        ]

    def __str__(self) -> str:
        return f"prescription {self.external_id}"

    @property
    def end_date(self) -> date:
        return self.start + timedelta(days=self.duration_days)

    def is_current(self, today: date) -> bool:
        return self.start <= today <= self.end_date


class LabReport(models.Model):
    """A lab report (from the MIS history or a LIS) with its analytes."""

    class Status(models.TextChoices):
        PRELIMINARY = "preliminary", _("preliminary")
        FINAL = "final", _("final")
        CORRECTED = "corrected", _("corrected")

    patient = models.ForeignKey(
        Patient, verbose_name=_("patient"), on_delete=models.CASCADE, related_name="lab_reports"
    )
    external_id = models.CharField(_("external id"), max_length=64)
    source = models.CharField(_("source"), max_length=20, default="mis")
    title = EncryptedTextField(_("title"))  # the test's name says what was looked for
    lab_test_external_id = models.CharField(_("lab test (catalog id)"), max_length=64, blank=True)
    collected_at = models.DateTimeField(_("collected at"))
    issued_at = models.DateTimeField(_("issued at"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.FINAL
    )
    conclusion = EncryptedTextField(_("conclusion"), blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("lab report")
        verbose_name_plural = _("lab reports")
        ordering = ["-collected_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "external_id"], name="lab_report_once")
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.collected_at:%Y-%m-%d}"

    @property
    def worst_flag(self) -> str:
        """critical > high/low > normal > "" over the report's analytes (prefetch them)."""
        flags = {result.flag for result in self.results.all()}
        for flag in ("critical", "high", "low", "normal"):
            if flag in flags:
                return "out" if flag in {"high", "low"} else flag
        return ""


class LabResult(models.Model):
    """One analyte of a lab report: value, unit, the lab's range, our flag."""

    class Flag(models.TextChoices):
        NORMAL = "normal", _("normal")
        LOW = "low", _("low")
        HIGH = "high", _("high")
        CRITICAL = "critical", _("critical")
        UNKNOWN = "", _("no reference range")

    report = models.ForeignKey(LabReport, on_delete=models.CASCADE, related_name="results")
    position = models.PositiveSmallIntegerField(default=0)
    code = models.CharField(_("analyte code"), max_length=32)
    name = EncryptedTextField(_("analyte"))
    value = EncryptedTextField(_("value"))
    # The number behind `value`, as text, encrypted like the value itself.
    numeric_text = EncryptedTextField(_("numeric value"), blank=True)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    ref_low = EncryptedDecimalField(null=True, blank=True)
    ref_high = EncryptedDecimalField(null=True, blank=True)
    comment = EncryptedTextField(_("comment"), blank=True)
    flag = EncryptedTextField(_("flag"), choices=Flag.choices, blank=True)

    class Meta:
        verbose_name = _("lab result")
        verbose_name_plural = _("lab results")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.name} (#{self.pk})"

    @property
    def numeric(self) -> Decimal | None:
        if not self.numeric_text:
            return None
        try:
            return Decimal(self.numeric_text)
        except InvalidOperation:
            return None


class Document(models.Model):
    """A certificate, discharge summary, contract or service act (file encrypted on disk)."""

    class Kind(models.TextChoices):
        CERTIFICATE = "certificate", _("certificate")
        DISCHARGE = "discharge", _("discharge summary")
        CONTRACT = "contract", _("contract")
        ACT = "act", _("service act")
        OTHER = "other", _("document")

    patient = models.ForeignKey(
        Patient, verbose_name=_("patient"), on_delete=models.CASCADE, related_name="documents"
    )
    external_id = models.CharField(_("external id"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    title = EncryptedTextField(_("title"))
    issued_at = models.DateTimeField(_("issued at"))
    file = models.FileField(
        _("file"), storage=get_record_file_storage, upload_to="documents/%Y/%m/", max_length=200
    )
    file_name = EncryptedTextField(_("file name"))
    content_type = models.CharField(max_length=100, default="application/pdf")
    size = models.PositiveIntegerField(_("size, bytes"), default=0)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "external_id"], name="document_once")
        ]

    def __str__(self) -> str:
        return self.title


class ReferenceRange(models.Model):
    """The clinic's own reference range of an analyte for a sex and an age band.

    Used when the lab sent no range of its own; the critical limits are used
    in every case. Ages in whole years, [age_from, age_to). Sex empty = any.
    """

    code = models.CharField(_("analyte code"), max_length=32)
    name = models.CharField(_("analyte"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    sex = models.CharField(_("sex"), max_length=6, choices=Patient.Sex.choices, blank=True)
    age_from = models.PositiveSmallIntegerField(_("from age, years"), default=0)
    age_to = models.PositiveSmallIntegerField(_("to age, years (exclusive)"), default=150)
    low = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    high = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    critical_low = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    critical_high = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)

    class Meta:
        verbose_name = _("reference range")
        verbose_name_plural = _("reference ranges")
        ordering = ["code", "sex", "age_from"]

    def __str__(self) -> str:
        return f"{self.code} {self.sex or '*'} {self.age_from}-{self.age_to}"


class RecordImport(models.Model):
    """A background load of a patient's history from the MIS, with its progress."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("loading")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    patient = models.ForeignKey(
        Patient, verbose_name=_("patient"), on_delete=models.CASCADE, related_name="imports"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(_("new items"), default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("record import")
        verbose_name_plural = _("record imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"import #{self.pk} {self.status} {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, self.done * 100 // self.total)

    @property
    def active(self) -> bool:
        return self.status in {self.Status.PENDING, self.Status.RUNNING}
