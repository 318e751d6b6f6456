"""N3.Здоровье specifics the conformance suite does not cover: the WSDL and its
public operation names, the guid, Success/ErrorList answers, lab reports over
the hub's FHIR endpoint, the tickets against the declared slot policy, the
factory, the registry and the process entry point."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import zeep

from booking.slots import Interval, free_slots
from integrations.mis import get_mis_adapter
from integrations.mis.demo import DemoMis
from integrations.mis.demo_patients import DEMO_PATIENT
from integrations.mis.n3 import N3Mis
from integrations.ports import MisError, MisUnavailable, PatientRecordSource, SlotTaken
from integrations.simulators import registry
from integrations.simulators.n3 import N3Simulator
from tests.integrations.mis_systems import adapter_for, http_status
from tests.integrations.test_mis_conformance import free_request
from tests.polling import wait_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def simulator(mis_systems):
    """The n3 simulator of this module, reset to the reference clinic."""
    return mis_systems.get("n3").simulator


def test_the_wsdl_has_the_hubs_public_operations(simulator):
    answer = httpx.get(simulator.url + "?wsdl", timeout=5)
    assert answer.status_code == 200 and simulator.url.encode() in answer.content
    operations = set(zeep.Client(simulator.url + "?wsdl").service._binding._operations)
    assert {
        "GetDistrictList",
        "GetLPUList",
        "CheckPatient",
        "GetSpesialityList",
        "GetDoctorList",
        "GetAvaibleAppointments",
        "SetAppointment",
        "CreateClaimForRefusal",
    } <= operations


def test_a_wrong_guid_is_an_unsuccessful_answer_not_a_fault(simulator):
    client = zeep.Client(simulator.url + "?wsdl")
    answer = client.service.GetLPUList(guid="not-the-guid")
    assert answer.Success is False
    assert answer.ErrorList.Error[0].IdError == 1
    assert not answer.LPU


def test_available_appointments_are_free_tickets_unless_all_are_asked(simulator):
    client = zeep.Client(simulator.url + "?wsdl")
    day = datetime.now(ZoneInfo("Europe/Moscow")).date() + timedelta(days=1)
    begins = datetime.combine(day, datetime.min.time())
    free = client.service.GetAvaibleAppointments(
        guid=simulator.knobs.guid, VisitStart=begins, VisitEnd=begins + timedelta(days=1)
    ).Appointment
    every = client.service.GetAvaibleAppointments(
        guid=simulator.knobs.guid,
        VisitStart=begins,
        VisitEnd=begins + timedelta(days=1),
        AllTickets=True,
    ).Appointment
    assert free and {t.Status for t in free} == {"free"}
    assert {t.Status for t in every} == {"free", "busy", "break"}
    assert {t.IdAppointment for t in free} < {t.IdAppointment for t in every}


def test_lab_reports_come_over_the_hubs_fhir_with_its_own_scheme(simulator):
    adapter = adapter_for(simulator)
    assert isinstance(adapter, PatientRecordSource)
    reports = adapter.patient_record(patient_id=DEMO_PATIENT.external_id).lab_reports
    assert len(reports) == 6
    observations = [o for r in reports for o in r.observations if o.numeric is not None]
    assert observations and all(o.ref_low is not None for o in observations)
    bearer = httpx.get(
        f"{simulator.fhir_url}/DiagnosticReport",
        params={"subject": f"Patient/{DEMO_PATIENT.external_id}"},
        headers={"Authorization": f"Bearer {simulator.knobs.guid}"},
        timeout=5,
    )
    assert bearer.status_code == 401
    intruder = adapter_for(simulator, guid="00000000-0000-0000-0000-000000000000")
    with pytest.raises(MisError) as raised:
        intruder.patient_record(patient_id=DEMO_PATIENT.external_id)
    assert not isinstance(raised.value, MisUnavailable)


def test_an_unknown_patient_and_an_unknown_appointment_are_errors(simulator):
    adapter = adapter_for(simulator)
    free = free_request(adapter, "n3-unknown-patient")
    with pytest.raises(MisError, match="11") as raised:
        adapter.book(replace(free, patient=replace(free.patient, external_id="pt-0")))
    assert not isinstance(raised.value, (SlotTaken, MisUnavailable))
    with pytest.raises(MisError) as raised:
        adapter.cancel(appointment_id="ap-unknown", idempotency_key="k")
    assert not isinstance(raised.value, MisUnavailable)


def test_a_new_patient_is_added_once(simulator):
    adapter = adapter_for(simulator)
    request = free_request(adapter, "n3-new-1")
    adapter.book(request)
    adapter.book(free_request(adapter, "n3-new-2"))
    found = adapter.find_patients(phone=request.patient.phone)
    assert [(p.last_name, p.first_name) for p in found] == [("Тестов", "Пётр")]
    assert found[0].external_id.startswith("pt-n3-")


def test_a_longer_visit_needs_every_ticket_after_it_free(simulator):
    adapter = adapter_for(simulator)
    request = free_request(adapter, "n3-long-1", minutes=30)
    simulator.take_by_phone(
        doctor_id=request.doctor_id,
        start=request.start + timedelta(minutes=15),
        end=request.start + timedelta(minutes=30),
    )
    with pytest.raises(SlotTaken):
        adapter.book(request)
    shorter = adapter.book(replace(request, end=request.start + timedelta(minutes=15)))
    assert shorter.end - shorter.start == timedelta(minutes=15)


def test_error_rate_knob_gives_transient_failures_and_ping_reports_skew(simulator):
    adapter = adapter_for(simulator)
    simulator.knobs.error_rate = 1.0
    with pytest.raises(MisUnavailable, match="99"):
        adapter.doctors()
    simulator.knobs.error_rate = 0.0
    status = adapter.ping()
    assert status.ok and abs(int(status.extra["clock_skew"])) <= 5


def test_the_declared_slot_policy_gives_the_hubs_free_tickets(simulator):
    """Computed with N3Mis.slot_policy, the site's slot starts are the hub's free
    tickets that start on the grid with enough free tickets after them, and each
    such ticket books."""
    adapter = adapter_for(simulator)
    policy = adapter.slot_policy
    zone = ZoneInfo(adapter.time_zone)
    day = datetime.now(zone).date() + timedelta(days=1)
    schedule = adapter.schedule(start=day, end=day)
    begins = datetime.combine(day, datetime.min.time())
    tickets = adapter._tickets(begins, begins + timedelta(days=1))
    duration = timedelta(minutes=30)
    grid = timedelta(minutes=policy.grid_minutes)
    compared = 0
    for doctor in sorted({w.doctor_id for w in schedule.work})[:10]:
        work = [w for w in schedule.work if w.doctor_id == doctor]
        ours = free_slots(
            work=[Interval(w.start, w.end, w.branch_id) for w in work],
            busy=[Interval(b.start, b.end) for b in schedule.busy if b.doctor_id == doctor],
            breaks=[Interval(b.start, b.end) for b in schedule.breaks if b.doctor_id == doctor],
            duration=duration,
            buffer=timedelta(minutes=policy.buffer_minutes),
            grid=grid,
            breaks_block=policy.breaks_block,
        )
        free = sorted(
            (t.VisitStart.replace(tzinfo=zone), t.VisitEnd.replace(tzinfo=zone))
            for t in tickets
            if t.IdDoc == doctor and t.Status == "free"
        )

        def run_from(start, free=free):
            cursor = start
            for t_start, t_end in free:
                if t_start == cursor:
                    cursor = t_end
            return cursor

        hub_starts = {
            start
            for start, _ in free
            if any((start - w.start) % grid == timedelta(0) for w in work)
            and run_from(start) >= start + duration
        }
        assert {s.start for s in ours} == hub_starts, doctor
        compared += len(hub_starts)
    assert compared > 20


def test_the_factory_builds_the_adapter_from_settings(settings):
    settings.MIS_ADAPTER = "n3"
    settings.N3_URL = "https://hub.example/HubService"
    settings.N3_GUID = "guid-1"
    settings.N3_FHIR_URL = "https://hub.example/fhir"
    settings.N3_TIME_ZONE = "Asia/Yekaterinburg"
    adapter = get_mis_adapter().unwrapped
    assert isinstance(adapter, N3Mis)
    assert adapter.url == settings.N3_URL and adapter.time_zone == "Asia/Yekaterinburg"
    assert isinstance(adapter, PatientRecordSource)


def test_registered_for_manage_py_simulate():
    assert registry()["n3"] is N3Simulator


def test_runs_as_a_process(closed_port, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "integrations.simulators.n3",
            "--port",
            str(closed_port),
            "--store",
            str(tmp_path / "process.sqlite3"),
            "--guid",
            "process-guid",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{closed_port}/n3/HubService"
        wait_for(lambda: http_status(url + "?wsdl") == 200, 15, "the process")
        adapter = N3Mis(url=url, guid="process-guid", timeout=2.0)
        assert len(adapter.doctors()) == len(DemoMis().doctors())
    finally:
        process.terminate()
        process.wait(timeout=10)
