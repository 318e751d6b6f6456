"""The slot policy each adapter declares computes exactly that MIS's own free times.

booking.slots with InfoclinicaMis.slot_policy (15-minute grid, 10-minute
buffer, lunch open) and OnecMis.slot_policy (back to back, no buffer, lunch
closed) must list what the MIS itself lists as free, for stored visits too.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.slots import Interval, free_slots
from integrations.mis.infoclinica import InfoclinicaMis
from integrations.mis.onec import OnecMis
from integrations.simulators.infoclinica import InfoclinicaSimulator
from integrations.simulators.onec import ROOT as ONEC_ROOT
from integrations.simulators.onec import OnecSimulator
from tests.integrations.test_mis_conformance import free_request


def _infoclinica(tmp_path, zone):
    simulator = InfoclinicaSimulator(store=tmp_path / "ic.sqlite3", time_zone=zone).start()
    adapter = InfoclinicaMis(
        url=simulator.url, client_id="site", client_key="infoclinica", time_zone=zone, timeout=2
    )
    return simulator, adapter


def _onec(tmp_path, zone):
    simulator = OnecSimulator(store=tmp_path / "onec.sqlite3", time_zone=zone).start()
    adapter = OnecMis(
        url=simulator.url + ONEC_ROOT, user="site", password="onec", time_zone=zone, timeout=2
    )
    return simulator, adapter


@pytest.mark.parametrize("zone", ["Europe/Moscow", "Asia/Yekaterinburg"])
@pytest.mark.parametrize("system", ["infoclinica", "onec"])
def test_the_declared_slot_policy_computes_the_mis_own_free_times(tmp_path, system, zone):
    simulator, adapter = {"infoclinica": _infoclinica, "onec": _onec}[system](tmp_path, zone)
    try:
        adapter.book(free_request(adapter, "policy-1", minutes=20))  # a stored visit too
        policy = adapter.slot_policy
        day = datetime.now(ZoneInfo(zone)).date() + timedelta(days=1)
        schedule = adapter.schedule(start=day, end=day + timedelta(days=2))
        doctors = sorted({w.doctor_id for w in schedule.work})[:8]
        services = {d.external_id: d.service_ids[-1] for d in adapter.doctors()}
        durations = {s.external_id: s.duration_minutes for s in adapter.services()}
        compared = in_lunch = 0
        for doctor in doctors:
            service = services[doctor]
            breaks = [Interval(b.start, b.end) for b in schedule.breaks if b.doctor_id == doctor]
            ours = free_slots(
                work=[
                    Interval(w.start, w.end, w.branch_id)
                    for w in schedule.work
                    if w.doctor_id == doctor
                ],
                busy=[Interval(b.start, b.end) for b in schedule.busy if b.doctor_id == doctor],
                breaks=breaks,
                duration=timedelta(minutes=durations[service]),
                buffer=timedelta(minutes=policy.buffer_minutes),
                grid=timedelta(minutes=policy.grid_minutes) if policy.grid_minutes else None,
                breaks_block=policy.breaks_block,
            )
            theirs = adapter.free_slots(
                doctor_id=doctor, service_id=service, start=day, end=day + timedelta(days=2)
            )
            assert [(s.start, s.end, s.place) for s in ours] == [
                (s.start, s.end, s.branch_id) for s in theirs
            ], doctor
            compared += len(theirs)
            in_lunch += sum(
                1 for s in theirs for b in breaks if b.start < s.end and s.start < b.end
            )
        assert compared > 20
        # The policies differ where it shows: Инфоклиника offers lunch, 1C does not.
        assert (in_lunch > 0) == (system == "infoclinica")
    finally:
        simulator.close()
