"""The clinic's working hours (AUDIT_WORKING_HOURS, AUDIT_WORKING_DAYS in TIME_ZONE)
and the off-hours stretch around an instant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class WorkingHours:
    opens: time
    closes: time
    weekdays: frozenset[int]  # ISO: 1 is Monday
    zone: ZoneInfo

    def _period(self, day: date) -> tuple[datetime, datetime] | None:
        if day.isoweekday() not in self.weekdays:
            return None
        return (
            datetime.combine(day, self.opens, tzinfo=self.zone),
            datetime.combine(day, self.closes, tzinfo=self.zone),
        )

    def _periods(self, around: date) -> list[tuple[datetime, datetime]]:
        days = (around + timedelta(days=offset) for offset in range(-8, 9))
        return [period for day in days if (period := self._period(day))]

    def is_working(self, instant: datetime) -> bool:
        local = instant.astimezone(self.zone)
        period = self._period(local.date())
        return period is not None and period[0] <= local < period[1]

    def off_hours_around(self, instant: datetime) -> tuple[datetime, datetime]:
        """From the last closing before `instant` to the next opening after it
        (the local day when the clinic has no working day at all)."""
        local = instant.astimezone(self.zone)
        periods = self._periods(local.date())
        if not periods:
            midnight = datetime.combine(local.date(), time(), tzinfo=self.zone)
            return midnight, midnight + timedelta(days=1)
        start = max(closes for _opens, closes in periods if closes <= local)
        end = min(opens for opens, _closes in periods if opens > local)
        return start, end


def _clock(text: str) -> time:
    try:
        return time.fromisoformat(text.strip())
    except ValueError as error:
        raise ImproperlyConfigured(f"AUDIT_WORKING_HOURS: {error}") from error


def working_hours() -> WorkingHours | None:
    """The configured hours; None when AUDIT_WORKING_HOURS is empty (no off-hours alerts)."""
    text = settings.AUDIT_WORKING_HOURS.strip()
    if not text:
        return None
    opens, sep, closes = text.partition("-")
    if not sep or _clock(opens) >= _clock(closes):
        raise ImproperlyConfigured(
            f"AUDIT_WORKING_HOURS={text!r}: give the opening and closing time, e.g. 08:00-21:00"
        )
    weekdays = frozenset(int(day) for day in settings.AUDIT_WORKING_DAYS)
    if not weekdays <= set(range(1, 8)):
        raise ImproperlyConfigured("AUDIT_WORKING_DAYS: ISO weekdays, 1 (Monday) to 7 (Sunday)")
    return WorkingHours(_clock(opens), _clock(closes), weekdays, ZoneInfo(settings.TIME_ZONE))
