"""The patient lookup rule of MisAdapter.find_patients: phone, then birth date and surname.

Adapters whose system matches more loosely (FHIR's `family` is a prefix)
filter its answer with it; the demo MIS and the simulators look up with it.
"""

from __future__ import annotations

from datetime import date

from integrations.ports import Patient


def _fold(text: str) -> str:
    return text.strip().casefold().replace("ё", "е")


def matching(
    patients: tuple[Patient, ...] | list[Patient],
    *,
    phone: str,
    birth_date: date | None = None,
    last_name: str = "",
) -> list[Patient]:
    """The patients with this phone, and this birth date and surname when given (ё = е)."""
    return [
        patient
        for patient in patients
        if patient.phone == phone
        and (birth_date is None or patient.birth_date == birth_date)
        and (not last_name or _fold(patient.last_name) == _fold(last_name))
    ]
