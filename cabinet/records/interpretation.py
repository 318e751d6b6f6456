"""Flags and plain-language interpretation of lab results: pure functions.

The normal range is the lab's own when it sent one, else the clinic's
ReferenceRange for the patient's sex and age at collection; the critical
limits always come from the clinic's table (labs rarely send them).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

NORMAL, LOW, HIGH, CRITICAL, UNKNOWN = "normal", "low", "high", "critical", ""


@dataclass(frozen=True)
class Band:
    """One row of the clinic's table (ReferenceRange without the ORM)."""

    sex: str  # "" = any
    age_from: int
    age_to: int
    low: Decimal | None = None
    high: Decimal | None = None
    critical_low: Decimal | None = None
    critical_high: Decimal | None = None


@dataclass(frozen=True)
class Limits:
    low: Decimal | None = None
    high: Decimal | None = None
    critical_low: Decimal | None = None
    critical_high: Decimal | None = None
    source: str = ""  # "lab" | "clinic" | ""

    @property
    def known(self) -> bool:
        return self.low is not None or self.high is not None


def age_on(birth_date: date | None, day: date) -> int | None:
    """Whole years of age on `day`."""
    if birth_date is None:
        return None
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def clinic_band(bands: Iterable[Band], *, sex: str, age: int | None) -> Band | None:
    """The clinic's band for this sex and age: a sex-specific one beats "any"."""
    if age is None:
        age = 18  # unknown age: read as an adult
    fitting = [b for b in bands if b.age_from <= age < b.age_to and b.sex in {sex, ""}]
    fitting.sort(key=lambda b: (b.sex == "", b.age_to - b.age_from))
    return fitting[0] if fitting else None


def limits_for(
    *,
    lab_low: Decimal | None,
    lab_high: Decimal | None,
    bands: Iterable[Band],
    sex: str,
    age: int | None,
) -> Limits:
    band = clinic_band(bands, sex=sex, age=age)
    critical = {
        "critical_low": band.critical_low if band else None,
        "critical_high": band.critical_high if band else None,
    }
    if lab_low is not None or lab_high is not None:
        return Limits(lab_low, lab_high, source="lab", **critical)
    if band is not None and (band.low is not None or band.high is not None):
        return Limits(band.low, band.high, source="clinic", **critical)
    return Limits(**critical)


def flag(value: Decimal | None, limits: Limits) -> str:
    """normal / low / high / critical, or "" when it cannot be judged."""
    if value is None:
        return UNKNOWN
    if limits.critical_low is not None and value < limits.critical_low:
        return CRITICAL
    if limits.critical_high is not None and value > limits.critical_high:
        return CRITICAL
    if not limits.known:
        return UNKNOWN
    if limits.low is not None and value < limits.low:
        return LOW
    if limits.high is not None and value > limits.high:
        return HIGH
    return NORMAL


def _number(value: Decimal) -> str:
    # Locale-aware: "5,5" in Russian; no trailing zeros from the Decimal column.
    normalized = value.normalize()
    places = max(0, -normalized.as_tuple().exponent)
    return number_format(normalized, decimal_pos=places)


def _with_unit(value: Decimal, unit: str) -> str:
    return f"{_number(value)} {unit}".strip()


def _percent(value: Decimal, limit: Decimal) -> int:
    if limit == 0:
        return 0
    share = abs(value - limit) / abs(limit) * 100
    return int(share.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def interpret(value: Decimal | None, unit: str, limits: Limits) -> str:
    """One or two sentences a patient understands, built from the reference values."""
    result = flag(value, limits)
    if value is None:
        return _("This result is not a number; compare it with the lab's note.")
    if not limits.known and result != CRITICAL:
        return _("There is no reference range for this analyte; discuss it with your doctor.")
    parts = []
    if limits.high is not None and value > limits.high:
        parts.append(
            _("The value is above the upper limit of normal (%(limit)s) by %(percent)s%%.")
            % {"limit": _with_unit(limits.high, unit), "percent": _percent(value, limits.high)}
        )
    elif limits.low is not None and value < limits.low:
        parts.append(
            _("The value is below the lower limit of normal (%(limit)s) by %(percent)s%%.")
            % {"limit": _with_unit(limits.low, unit), "percent": _percent(value, limits.low)}
        )
    elif limits.known:
        parts.append(
            _("The value is within the normal range (%(range)s).") % {"range": _range(limits, unit)}
        )
    if result == CRITICAL:
        parts.append(_("This is a critical value: contact your doctor without delay."))
    elif result in {LOW, HIGH}:
        parts.append(_("Discuss the result with your doctor."))
    return " ".join(parts)


def _range(limits: Limits, unit: str) -> str:
    if limits.low is not None and limits.high is not None:
        return f"{_number(limits.low)}–{_number(limits.high)} {unit}".strip()
    if limits.low is not None:
        return _("not below %(limit)s") % {"limit": _with_unit(limits.low, unit)}
    return _("not above %(limit)s") % {"limit": _with_unit(limits.high, unit)}
