"""Which patients' medical cards a staff user may open, by role."""

from __future__ import annotations

from django.db.models import QuerySet

from cabinet.accounts.models import Patient, User
from cabinet.staff.models import StaffProfile
from catalog.models import Doctor


def staff_role(user: User) -> str:
    profile = getattr(user, "staff_profile", None) if user.is_authenticated else None
    return profile.role if profile else ""


def card_patients(user: User) -> QuerySet[Patient]:
    """Attending doctor: patients with a visit to them; head of department:
    patients with a visit to any doctor of the department; registrar and
    editor: nobody (schedule and CMS only)."""
    if not user.is_authenticated or not user.is_active:
        return Patient.objects.none()
    profile = StaffProfile.objects.filter(user=user).select_related("doctor").first()
    if profile is None:
        return Patient.objects.none()
    if profile.role == StaffProfile.Role.ATTENDING and profile.doctor is not None:
        doctor_ids = [profile.doctor.external_id]
    elif profile.role == StaffProfile.Role.HEAD and profile.department_id is not None:
        doctor_ids = list(
            Doctor.objects.filter(specialties=profile.department_id).values_list(
                "external_id", flat=True
            )
        )
    else:
        return Patient.objects.none()
    return Patient.objects.filter(visits__doctor_external_id__in=doctor_ids).distinct()
