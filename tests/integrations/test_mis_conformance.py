"""One conformance suite for every MIS adapter, each against its simulator.

Adding a MIS: write its adapter and simulator, then add its configurations to
tests/integrations/mis_systems.py (SYSTEMS). Every test below then runs on
it. Each simulator is started once for this module and reset to the
reference clinic before every test.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from integrations.mis.demo import ROOM_HOURS, DemoMis
from integrations.mis.demo_patients import DEMO_PATIENT, FAMILY
from integrations.mis.sync import run_mis_sync
from integrations.ports import (
    BookingRequest,
    MisAdapter,
    MisError,
    MisUnavailable,
    Patient,
    Schedule,
    SlotPolicy,
    SlotTaken,
)
from tests.integrations.mis_systems import (
    OUTAGE_TIMEOUT,
    SEED,
    SYSTEMS,
    MisUnderTest,
    adapter_for,
)

# The demo MIS is the reference clinic: every simulator serves its data.
REFERENCE = DemoMis(seed=SEED)
# Local times the demo clinic's shifts begin at (the procedure rooms open at 07:30).
SHIFT_STARTS = {dt_time(8), dt_time(9), dt_time(14), ROOM_HOURS[0]}


@pytest.fixture(params=list(SYSTEMS))
def system(request, mis_systems) -> MisUnderTest:
    return mis_systems.get(request.param)


# --- helpers ----------------------------------------------------------------------


def instants(schedule: Schedule) -> dict[str, set[tuple]]:
    """The schedule as UTC instants, whatever zone the adapter reported it in."""
    return {
        "work": {
            (w.doctor_id, w.branch_id, w.start.timestamp(), w.end.timestamp())
            for w in schedule.work
        },
        "busy": {(b.doctor_id, b.start.timestamp(), b.end.timestamp()) for b in schedule.busy},
        "breaks": {(b.doctor_id, b.start.timestamp(), b.end.timestamp()) for b in schedule.breaks},
    }


def mis_today(adapter: MisAdapter) -> date:
    return datetime.now(ZoneInfo(adapter.time_zone)).date()


def free_request(adapter: MisAdapter, key: str, minutes: int = 30) -> BookingRequest:
    """A booking of the first interval of tomorrow that nothing overlaps."""
    day = mis_today(adapter) + timedelta(days=1)
    schedule = adapter.schedule(start=day, end=day)
    for work in sorted(schedule.work, key=lambda w: (w.start, w.doctor_id)):
        taken = [i for i in (*schedule.busy, *schedule.breaks) if i.doctor_id == work.doctor_id]
        start = work.start
        while start + timedelta(minutes=minutes) <= work.end:
            end = start + timedelta(minutes=minutes)
            if not any(i.start < end and start < i.end for i in taken):
                return BookingRequest(
                    idempotency_key=key,
                    doctor_id=work.doctor_id,
                    branch_id=work.branch_id,
                    service_id="sv-B01.047.001",
                    start=start,
                    end=end,
                    patient=Patient(last_name="Тестов", first_name="Пётр", phone="+79990000002"),
                )
            start += timedelta(minutes=15)
    raise AssertionError("no free interval tomorrow")


def is_busy(adapter: MisAdapter, request: BookingRequest) -> bool:
    day = request.start.astimezone(ZoneInfo(adapter.time_zone)).date()
    busy = adapter.schedule(start=day, end=day).busy
    return any(
        b.doctor_id == request.doctor_id and b.start == request.start and b.end == request.end
        for b in busy
    )


# --- the suite ----------------------------------------------------------------------


def test_implements_the_port_and_declares_its_slot_policy(system):
    assert isinstance(system.adapter, MisAdapter)
    assert isinstance(system.adapter.slot_policy, SlotPolicy)
    ZoneInfo(system.adapter.time_zone)
    assert system.adapter.ping().ok


def test_directory_is_the_reference_clinic(system):
    adapter = system.adapter
    assert adapter.branches() == REFERENCE.branches()
    assert adapter.specialties() == REFERENCE.specialties()
    assert adapter.services() == REFERENCE.services()
    assert adapter.doctors() == REFERENCE.doctors()


def test_schedule_is_aware_positive_and_the_reference_one(system):
    adapter = system.adapter
    zone = ZoneInfo(adapter.time_zone)
    first = mis_today(adapter)
    schedule = adapter.schedule(start=first, end=first + timedelta(days=6))
    assert schedule.work and schedule.busy and schedule.breaks
    for interval in (*schedule.work, *schedule.busy, *schedule.breaks):
        assert interval.start.tzinfo is not None and interval.end > interval.start
        # Reported on the MIS's own clock, and starting on the asked dates there.
        assert interval.start.utcoffset() == interval.start.astimezone(zone).utcoffset()
        assert first <= interval.start.astimezone(zone).date() <= first + timedelta(days=6)
    assert instants(schedule) == instants(
        REFERENCE.schedule(start=first, end=first + timedelta(days=6))
    )


def test_every_branch_opens_at_its_own_local_hours(system):
    """Yekaterinburg's 09:00 is 09:00 there, whichever zone the MIS keeps."""
    branches = {b.external_id: ZoneInfo(b.time_zone) for b in system.adapter.branches()}
    first = mis_today(system.adapter)
    work = system.adapter.schedule(start=first, end=first + timedelta(days=6)).work
    assert {w.branch_id for w in work} == set(branches)
    for w in work:
        assert w.start.astimezone(branches[w.branch_id]).time() in SHIFT_STARTS
    ekb = [w for w in work if w.branch_id == "br-ekb"]
    assert ekb and all(
        w.start.astimezone(ZoneInfo("Asia/Yekaterinburg")).time() in SHIFT_STARTS for w in ekb
    )


def test_book_a_free_slot_then_it_is_busy_and_taken(system):
    adapter = system.adapter
    request = free_request(adapter, "conf-book-1")
    appointment = adapter.book(request)
    assert appointment.external_id
    assert appointment.doctor_id == request.doctor_id
    assert (appointment.start, appointment.end) == (request.start, request.end)
    assert appointment.start.tzinfo is not None
    assert appointment.status == "booked"
    assert is_busy(adapter, request)
    with pytest.raises(SlotTaken):
        adapter.book(replace(request, idempotency_key="conf-book-2"))
    # Overlapping, not equal, is taken too.
    with pytest.raises(SlotTaken):
        adapter.book(
            replace(
                request,
                idempotency_key="conf-book-3",
                start=request.start + timedelta(minutes=15),
                end=request.end + timedelta(minutes=15),
            )
        )


def test_the_same_key_again_is_the_same_appointment(system):
    adapter = system.adapter
    request = free_request(adapter, "conf-retry-1")
    first = adapter.book(request)
    again = adapter.book(request)
    assert again == first


def test_cancel_frees_the_slot_and_twice_is_not_an_error(system):
    adapter = system.adapter
    request = free_request(adapter, "conf-cancel-1")
    first = adapter.book(request)
    adapter.cancel(appointment_id=first.external_id, idempotency_key="conf-cancel-c1")
    adapter.cancel(appointment_id=first.external_id, idempotency_key="conf-cancel-c1")
    assert not is_busy(adapter, request)
    second = adapter.book(replace(request, idempotency_key="conf-cancel-2"))
    assert second.external_id != first.external_id


def test_a_slot_taken_by_phone_is_refused(system):
    adapter = system.adapter
    request = free_request(adapter, "conf-phone-1")
    system.take_by_phone(doctor_id=request.doctor_id, start=request.start, end=request.end)
    assert is_busy(adapter, request)
    with pytest.raises(SlotTaken):
        adapter.book(request)


def test_booking_outside_the_doctors_work_is_refused(system):
    adapter = system.adapter
    request = free_request(adapter, "conf-night-1")
    night = request.start.replace(hour=3, minute=0)
    with pytest.raises(SlotTaken):
        adapter.book(replace(request, start=night, end=night + timedelta(minutes=30)))


def test_patient_lookup_by_phone_narrowed_by_birth_date_and_surname(system):
    mis = system.adapter
    family = mis.find_patients(phone=FAMILY[0].phone)
    assert {p.external_id for p in family} == {p.external_id for p in FAMILY}
    exact = mis.find_patients(
        phone=DEMO_PATIENT.phone, birth_date=DEMO_PATIENT.birth_date, last_name="ДЕМОНСТРАЦИОННАЯ"
    )
    assert exact == [DEMO_PATIENT]  # every field, the birth date and sex included
    assert mis.find_patients(phone=DEMO_PATIENT.phone, birth_date=date(1985, 4, 13)) == []
    assert mis.find_patients(phone="+79990009999") == []


def test_a_wrong_password_is_an_error_not_an_outage(system):
    intruder = system.wrong_password()
    if intruder is None:
        pytest.skip("this MIS runs in-process, without credentials")
    for call in (intruder.ping, intruder.doctors):
        with pytest.raises(MisError) as raised:
            call()
        assert not isinstance(raised.value, MisUnavailable)


def test_an_outage_is_unavailable_within_the_timeout(system):
    adapter = (
        adapter_for(system.simulator, timeout=OUTAGE_TIMEOUT)
        if system.simulator
        else system.adapter
    )
    assert adapter.ping().ok
    for name, (go_down, come_back) in system.outages.items():
        go_down()
        try:
            for call in (adapter.ping, adapter.doctors):
                began = time.monotonic()
                with pytest.raises(MisUnavailable):
                    call()
                assert time.monotonic() - began < OUTAGE_TIMEOUT + 0.75, name
        finally:
            come_back()
        assert adapter.ping().ok, name


@pytest.mark.django_db
def test_the_sync_fills_the_catalog_as_the_reference_and_a_second_run_writes_nothing(system):
    adapter = system.adapter
    first = run_mis_sync(adapter=adapter, days=7)
    assert first.written > 0
    with CaptureQueriesContext(connection) as queries:
        again = run_mis_sync(adapter=adapter, days=7)
    assert again.written == 0
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    # The reference clinic, synced over it, finds nothing to change: identical.
    # (Only in what an MIS supplies: the demo also plays the lab's catalog.)
    reference = DemoMis(seed=SEED)
    reference.time_zone = adapter.time_zone
    report = run_mis_sync(adapter=reference, days=7)
    lab_catalog = {"lab_test", "checkup_program"}
    changed = {
        name: counts.written
        for name, counts in report["catalog"].counts.items()
        if counts.written and name not in lab_catalog
    }
    assert changed == {}
    assert report["schedule"].written == 0
