"""МЕДИАЛОГ specifics the conformance suite does not cover: the WSDL, WS-Security,
the fault codes, the simulator's knobs and its process entry point."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import zeep
from lxml import etree
from zeep.wsse.username import UsernameToken

from booking.slots import Interval, free_slots
from integrations.mis import get_mis_adapter
from integrations.mis.demo import DemoMis
from integrations.mis.medialog import MedialogMis
from integrations.ports import MisError, MisUnavailable
from integrations.simulators.medialog import serve
from tests.integrations.mis_systems import adapter_for, http_status
from tests.integrations.test_mis_conformance import free_request
from tests.polling import wait_for

ROOT = Path(__file__).resolve().parents[2]
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"


@pytest.fixture
def simulator(mis_systems):
    """The medialog simulator of this module, reset to the reference clinic."""
    return mis_systems.get("medialog").simulator


def test_the_wsdl_is_served_with_the_address_it_was_fetched_from(simulator):
    answer = httpx.get(simulator.url + "?wsdl", timeout=5)
    assert answer.status_code == 200
    assert simulator.url.encode() in answer.content
    client = zeep.Client(simulator.url + "?wsdl")
    operations = set(client.service._binding._operations)
    assert {
        "GetVersion",
        "GetDepartments",
        "GetSpecialities",
        "GetExams",
        "GetResources",
        "GetSchedule",
        "GetFreeSlots",
        "FindOrCreatePatient",
        "BookSlot",
        "CancelBooking",
    } <= operations


def test_password_text_is_accepted_and_no_token_is_an_auth_fault(simulator):
    plain = zeep.Client(simulator.url + "?wsdl", wsse=UsernameToken("medialog", "medialog"))
    assert plain.service.GetVersion().timeZone == "Europe/Moscow"
    envelope = (
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body>'
        '<m:GetVersion xmlns:m="urn:medialog:planning:1"/></soap:Body></soap:Envelope>'
    )
    answer = httpx.post(simulator.url, content=envelope, timeout=5)
    assert answer.status_code == 500
    fault = etree.fromstring(answer.content).find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    assert fault.findtext("faultcode") == "wsse:FailedAuthentication"
    assert fault.findtext(".//{urn:medialog:planning:1}code") == "AUTH"


def test_garbage_and_unknown_operations_are_client_faults(simulator):
    answer = httpx.post(simulator.url, content=b"not xml", timeout=5)
    assert answer.status_code == 500 and b"BAD_REQUEST" in answer.content


def test_an_unknown_patient_is_an_error_not_an_outage(simulator):
    adapter = adapter_for(simulator)
    free = free_request(adapter, "k-unknown-patient")
    request = replace(free, patient=replace(free.patient, external_id="pt-0"))
    with pytest.raises(MisError) as raised:
        adapter.book(request)
    assert not isinstance(raised.value, MisUnavailable)
    assert "PATIENT_NOT_FOUND" in str(raised.value)
    # Without a MIS id the adapter finds or creates the patient first.
    appointment = adapter.book(replace(request, patient=replace(request.patient, external_id="")))
    assert appointment.external_id


def test_error_rate_knob_gives_transient_failures(simulator):
    adapter = adapter_for(simulator)
    simulator.knobs.error_rate = 1.0
    with pytest.raises(MisUnavailable, match="INTERNAL"):
        adapter.doctors()
    simulator.knobs.error_rate = 0.5
    outcomes = []
    for _ in range(20):
        try:
            adapter.ping()
            outcomes.append(True)
        except MisUnavailable:
            outcomes.append(False)
    assert True in outcomes and False in outcomes


def test_clock_skew_and_zone_are_reported_by_ping(simulator):
    simulator.knobs.clock_skew = 3600
    status = adapter_for(simulator).ping()
    assert status.ok
    assert abs(int(status.extra["clock_skew"]) - 3600) <= 5
    mismatched = adapter_for(simulator, time_zone="Asia/Yekaterinburg").ping()
    assert not mismatched.ok and "Europe/Moscow" in mismatched.detail


def test_constructing_touches_no_network_and_a_dead_address_is_unavailable(closed_port):
    adapter = MedialogMis(
        url=f"http://127.0.0.1:{closed_port}/medialog/PlanningService",
        user="u",
        password="p",
        timeout=1.0,
    )
    began = time.monotonic()
    with pytest.raises(MisUnavailable):
        adapter.ping()
    assert time.monotonic() - began < 1.5


def test_the_factory_builds_the_adapter_from_settings(settings):
    settings.MIS_ADAPTER = "medialog"
    settings.MEDIALOG_URL = "http://mis.example:8080/medialog/PlanningService"
    settings.MEDIALOG_USER = "site"
    settings.MEDIALOG_PASSWORD = "secret"
    settings.MEDIALOG_TIME_ZONE = "Asia/Yekaterinburg"
    adapter = get_mis_adapter().unwrapped  # behind its circuit breaker
    assert isinstance(adapter, MedialogMis)
    assert adapter.url == settings.MEDIALOG_URL
    assert adapter.time_zone == "Asia/Yekaterinburg"
    assert adapter.slot_policy.buffer_minutes == 0 and adapter.slot_policy.breaks_block


def test_runs_as_a_process(closed_port, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "integrations.simulators.medialog",
            "--port",
            str(closed_port),
            "--store",
            str(tmp_path / "process.sqlite3"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{closed_port}/medialog/PlanningService"
        wait_for(lambda: http_status(url + "?wsdl") == 200, 15, "the process")
        adapter = MedialogMis(url=url, user="medialog", password="medialog", timeout=2.0)
        assert len(adapter.doctors()) == len(DemoMis().doctors())
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("zone", ["Europe/Moscow", "Asia/Yekaterinburg"])
def test_the_declared_slot_policy_computes_medialogs_own_free_slots(tmp_path, zone):
    """booking.slots with MedialogMis.slot_policy finds exactly what GetFreeSlots lists."""
    with serve(0, store=tmp_path / "slots.sqlite3", time_zone=zone) as simulator:
        adapter = adapter_for(simulator, time_zone=zone)
        adapter.book(free_request(adapter, "k-slots-1", minutes=20))  # a stored visit too
        policy = adapter.slot_policy
        day = datetime.now(ZoneInfo(zone)).date() + timedelta(days=1)
        schedule = adapter.schedule(start=day, end=day + timedelta(days=2))
        doctors = sorted({w.doctor_id for w in schedule.work})[:8]
        services = {d.external_id: d.service_ids[-1] for d in adapter.doctors()}
        durations = {s.external_id: s.duration_minutes for s in adapter.services()}
        compared = 0
        for doctor in doctors:
            service = services[doctor]
            ours = free_slots(
                work=[
                    Interval(w.start, w.end, w.branch_id)
                    for w in schedule.work
                    if w.doctor_id == doctor
                ],
                busy=[Interval(b.start, b.end) for b in schedule.busy if b.doctor_id == doctor],
                breaks=[Interval(b.start, b.end) for b in schedule.breaks if b.doctor_id == doctor],
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
        assert compared > 20


def test_manage_py_simulate_serves_it(closed_port):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    process = subprocess.Popen(  # noqa: S603 - our own command, no shell
        [sys.executable, "manage.py", "simulate", "medialog", "--port", str(closed_port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{closed_port}/medialog/PlanningService"
        wait_for(lambda: http_status(f"{url}?wsdl") == 200, 20, "the process")
        adapter = MedialogMis(url=url, user="medialog", password="medialog", timeout=5.0)  # noqa: S106
        assert len(adapter.doctors()) == len(DemoMis().doctors())
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0  # the command stops cleanly when terminated
