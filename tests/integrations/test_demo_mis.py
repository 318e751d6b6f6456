"""The demo MIS: a deterministic clinic of the size the demo promises."""

from dataclasses import replace
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
    assert local_starts <= {7, 8, 9, 14}  # the procedure room opens at 07:30
    assert reported == {h - 2 for h in local_starts}


def test_outage_knob_makes_every_call_fail():
    down = DemoMis(seed=2026, outage=True)
    for call in (down.ping, down.doctors, down.services, down.branches, down.specialties):
        with pytest.raises(MisUnavailable):
            call()
    with pytest.raises(MisUnavailable):
        down.schedule(start=TODAY, end=TODAY)


def _request(mis, key="k1", minutes=(0, 30)):
    from integrations.ports import BookingRequest, Patient

    schedule = mis.schedule(start=TODAY, end=TODAY)
    work = schedule.work[0]
    busy = sorted(
        (b for b in (*schedule.busy, *schedule.breaks) if b.doctor_id == work.doctor_id),
        key=lambda b: b.start,
    )
    # The first 30 minutes of the shift that nothing overlaps.
    start = work.start
    while any(b.start < start + timedelta(minutes=30) and start < b.end for b in busy):
        start += timedelta(minutes=5)
    return BookingRequest(
        idempotency_key=key,
        doctor_id=work.doctor_id,
        branch_id=work.branch_id,
        service_id="sv-B01.047.001",
        start=start + timedelta(minutes=minutes[0]),
        end=start + timedelta(minutes=minutes[1]),
        patient=Patient(last_name="Тестов", first_name="Пётр", phone="+79990000002"),
    )


def test_booking_is_idempotent_and_the_time_becomes_busy(tmp_path):
    from integrations.ports import SlotTaken

    mis = DemoMis(seed=2026, today=TODAY, store=tmp_path / "mis.sqlite3")
    request = _request(mis)
    first = mis.book(request)
    assert mis.book(request) == first  # the same key: the same appointment
    with pytest.raises(SlotTaken):
        mis.book(replace(request, idempotency_key="k2"))
    # Another process sees it through the shared store.
    other = DemoMis(seed=2026, today=TODAY, store=tmp_path / "mis.sqlite3")
    busy = other.schedule(start=TODAY, end=TODAY).busy
    assert any(b.doctor_id == request.doctor_id and b.start == request.start for b in busy)
    other.cancel(appointment_id=first.external_id, idempotency_key="c1")
    assert mis.book(replace(request, idempotency_key="k3")).external_id != first.external_id


def test_booking_outside_work_or_over_a_booked_visit_is_refused():
    from integrations.ports import SlotTaken

    mis = DemoMis(seed=2026, today=TODAY)
    request = _request(mis)
    with pytest.raises(SlotTaken):
        mis.book(
            replace(
                request,
                start=request.start - timedelta(hours=12),
                end=request.end - timedelta(hours=12),
            )
        )
    phone = mis.book_by_phone(doctor_id=request.doctor_id, start=request.start, end=request.end)
    assert phone.status == "booked"
    with pytest.raises(SlotTaken):
        mis.book(request)
