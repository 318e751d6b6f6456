"""The demo MIS: a deterministic clinic of the size the demo promises."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from integrations.mis.demo import DemoMis
from integrations.ports import MisAdapter, MisUnavailable

TODAY = date(2026, 12, 1)


@pytest.fixture
def mis():
    return DemoMis(seed=2026, today=TODAY)


def test_implements_the_port(mis):
    assert isinstance(mis, MisAdapter)


def test_directory_has_the_promised_size(mis):
    assert len(mis.branches()) == 3
    assert len(mis.specialties()) >= 12
    assert len(mis.doctors()) >= 40
    assert len(mis.services()) >= 60
    assert all(s.duration_minutes > 0 and s.price > 0 for s in mis.services())
    assert len({b.time_zone for b in mis.branches()}) >= 2


def test_same_seed_same_clinic_other_seed_other_names(mis):
    again = DemoMis(seed=2026, today=TODAY)
    assert again.doctors() == mis.doctors()
    assert again.services() == mis.services()
    assert again.schedule(start=TODAY, end=TODAY + timedelta(days=3)) == mis.schedule(
        start=TODAY, end=TODAY + timedelta(days=3)
    )
    other = DemoMis(seed=7, today=TODAY)
    assert [d.last_name for d in other.doctors()] != [d.last_name for d in mis.doctors()]


def test_thirty_days_of_schedule_with_lunch_and_booked_visits(mis):
    schedule = mis.schedule(start=TODAY - timedelta(days=5), end=TODAY + timedelta(days=60))
    days = {w.start.date() for w in schedule.work}
    assert min(days) == TODAY
    assert max(days) <= TODAY + timedelta(days=29)
    assert len(days) >= 24  # Sundays are off
    assert schedule.breaks and schedule.busy
    mis_zone = ZoneInfo(mis.time_zone)
    for interval in (*schedule.work, *schedule.busy, *schedule.breaks):
        assert interval.start.tzinfo is not None
        assert interval.start.utcoffset() == interval.start.astimezone(mis_zone).utcoffset()
        assert interval.end > interval.start


def test_yekaterinburg_branch_reported_in_moscow_time(mis):
    """The MIS keeps Moscow time: 09:00 in Yekaterinburg (UTC+5) arrives as 07:00."""
    schedule = mis.schedule(start=TODAY, end=TODAY + timedelta(days=6))
    ekb = [w for w in schedule.work if w.branch_id == "br-ekb"]
    assert ekb
    local_starts = {w.start.astimezone(ZoneInfo("Asia/Yekaterinburg")).hour for w in ekb}
    reported = {w.start.hour for w in ekb}
    assert local_starts <= {8, 9, 14}
    assert reported == {h - 2 for h in local_starts}


def test_outage_knob_makes_every_call_fail():
    down = DemoMis(seed=2026, outage=True)
    for call in (down.ping, down.doctors, down.services, down.branches, down.specialties):
        with pytest.raises(MisUnavailable):
            call()
    with pytest.raises(MisUnavailable):
        down.schedule(start=TODAY, end=TODAY)
