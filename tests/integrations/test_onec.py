"""1С:Медицина specifics the conformance suite does not cover: Basic auth, times
on the base's clock on the wire, its free-slot policy, clock skew, the error
codes, the factory and the process entry point."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from integrations.mis import get_mis_adapter
from integrations.mis.demo import BRANCHES, DemoMis
from integrations.mis.onec import OnecMis
from integrations.ports import MisError, MisUnavailable, Patient
from integrations.simulators import registry
from integrations.simulators.onec import ROOT, serve
from tests.integrations.mis_systems import adapter_for, http_status
from tests.integrations.test_mis_conformance import free_request
from tests.polling import wait_for

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def simulator(mis_systems):
    """The onec simulator of this module, reset to the reference clinic."""
    return mis_systems.get("onec").simulator


def test_every_resource_needs_basic_auth(simulator):
    for resource in ("info", "doctors", "schedule?from=2026-01-01&to=2026-01-02"):
        answer = httpx.get(f"{simulator.url}{ROOT}/{resource}", timeout=5)
        assert answer.status_code == 401
        assert answer.headers["WWW-Authenticate"].startswith("Basic")
    good = httpx.get(f"{simulator.url}{ROOT}/info", auth=("site", "onec"), timeout=5)
    assert good.status_code == 200 and good.json()["timeZone"] == "Europe/Moscow"


def test_the_wire_carries_the_bases_clock_without_an_offset(simulator):
    day = datetime.now(ZoneInfo("Europe/Moscow")).date() + timedelta(days=1)
    answer = httpx.get(
        f"{simulator.url}{ROOT}/schedule",
        params={"from": day.isoformat(), "to": (day + timedelta(days=5)).isoformat()},
        auth=("site", "onec"),
        timeout=5,
    ).json()
    ekb = [w for w in answer["work"] if w["branchId"] == "br-ekb"]
    assert ekb
    for row in ekb:
        assert datetime.fromisoformat(row["start"]).tzinfo is None
    # Yekaterinburg's 08:00 / 09:00 / 14:00 (the procedure room's 07:30) on the Moscow
    # base's clock.
    assert {datetime.fromisoformat(w["start"]).hour for w in ekb} <= {5, 6, 7, 12}
    work = adapter_for(simulator).schedule(start=day, end=day + timedelta(days=5)).work
    ekb_local = {
        w.start.astimezone(ZoneInfo("Asia/Yekaterinburg")).hour
        for w in work
        if w.branch_id == "br-ekb"
    }
    assert ekb_local <= {7, 8, 9, 14}


def test_the_slot_policy_is_back_to_back_and_lunch_is_closed(simulator):
    adapter = adapter_for(simulator)
    assert adapter.slot_policy.grid_minutes is None
    assert adapter.slot_policy.breaks_block
    assert adapter.slot_policy != DemoMis.slot_policy


def test_a_skewed_clock_is_reported_and_does_not_move_the_times(tmp_path):
    with serve(0, store=tmp_path / "skew.sqlite3", clock_skew=-1800) as simulator:
        adapter = adapter_for(simulator)
        status = adapter.ping()
        assert status.ok and abs(int(status.extra["clock_skew"]) + 1800) <= 5
        request = free_request(adapter, "onec-skew-1")
        booked = adapter.book(request)
        assert (booked.start, booked.end) == (request.start, request.end)


def test_a_zone_mismatch_fails_the_ping(simulator):
    status = adapter_for(simulator, time_zone="Asia/Yekaterinburg").ping()
    assert not status.ok and "Europe/Moscow" in status.detail


def test_an_unknown_patient_is_an_error_not_an_outage(simulator):
    adapter = adapter_for(simulator)
    request = free_request(adapter, "onec-nobody")
    ghost = replace(request.patient, external_id="pt-nobody")
    with pytest.raises(MisError, match="PATIENT_NOT_FOUND") as raised:
        adapter.book(replace(request, patient=ghost))
    assert not isinstance(raised.value, MisUnavailable)


def test_a_new_patient_is_registered_once(simulator):
    adapter = adapter_for(simulator)
    patient = Patient(last_name="Новикова", first_name="Ирина", phone="+79990001122")
    first = adapter.book(replace(free_request(adapter, "onec-new-1"), patient=patient))
    found = adapter.find_patients(phone="+79990001122")
    assert [p.last_name for p in found] == ["Новикова"]
    adapter.cancel(appointment_id=first.external_id, idempotency_key="c")
    adapter.book(replace(free_request(adapter, "onec-new-2"), patient=patient))
    assert len(adapter.find_patients(phone="+79990001122")) == 1


def test_error_rate_knob_gives_transient_failures(simulator):
    simulator.knobs.error_rate = 1.0
    with pytest.raises(MisUnavailable, match="HTTP 500"):
        adapter_for(simulator).doctors()


def test_the_factory_builds_the_adapter_from_settings(settings):
    settings.MIS_ADAPTER = "onec"
    settings.ONEC_URL = "http://1c.example/base/hs/clinic/v1"
    settings.ONEC_USER = "site"
    settings.ONEC_PASSWORD = "secret"
    settings.ONEC_TIME_ZONE = "Asia/Yekaterinburg"
    adapter = get_mis_adapter().unwrapped
    assert isinstance(adapter, OnecMis)
    assert adapter.url == "http://1c.example/base/hs/clinic/v1"
    assert adapter.time_zone == "Asia/Yekaterinburg"


def test_runs_as_a_process_through_manage_py_simulate(closed_port):
    assert "onec" in registry()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "simulate", "onec", "--port", str(closed_port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        adapter = OnecMis(
            url=f"http://127.0.0.1:{closed_port}{ROOT}", user="site", password="onec", timeout=2.0
        )
        wait_for(lambda: http_status(adapter.url) is not None, 20, "the process")
        assert len(adapter.doctors()) == len(DemoMis().doctors())
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)


def test_knobs_change_over_http_on_a_running_simulator(simulator):
    knobs = f"{simulator.url}/_sim/knobs"
    assert httpx.get(knobs, timeout=5).json()["outage"] == ""
    answer = httpx.post(knobs, json={"outage": "503", "clock_skew": 60}, timeout=5)
    assert answer.json()["outage"] == "503" and answer.json()["clock_skew"] == 60
    with pytest.raises(MisUnavailable):
        adapter_for(simulator).ping()
    assert httpx.post(knobs, json={"outage": "refused"}, timeout=5).status_code == 400
    assert httpx.post(knobs, json={"nonsense": 1}, timeout=5).status_code == 400
    httpx.post(knobs, json={"outage": ""}, timeout=5)
    assert adapter_for(simulator).ping().ok


def test_the_size_knob_sets_how_many_doctors_the_clinic_has(tmp_path):
    with serve(0, store=tmp_path / "big.sqlite3", doctors=60) as running:
        adapter = adapter_for(running, timeout=10.0)
        doctors = adapter.doctors()
        today = running.mis.today()
        worked = adapter.schedule(start=today, end=today + timedelta(days=13)).work
    assert len({d.external_id for d in doctors}) == 60 + len(BRANCHES)  # + procedure rooms
    # The extra doctors work too: the schedule is the larger clinic's.
    assert len({w.doctor_id for w in worked}) > 44


def test_runs_with_python_dash_m_with_its_flags(closed_port, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    flags = ["--port", str(closed_port), "--store", str(tmp_path / "mis.sqlite3")]
    flags += ["--doctors", "60", "--user", "clinic", "--password", "s3cret"]
    process = subprocess.Popen(
        [sys.executable, "-m", "integrations.simulators.onec", *flags],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # Ctrl-C reaches it even when this run was started in the background
        # (a shell's background job starts with SIGINT ignored, and children inherit that).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        banner = process.stdout.readline()
        assert f"127.0.0.1:{closed_port}" in banner, process.stderr.read()
        url = f"http://127.0.0.1:{closed_port}{ROOT}"
        onec = OnecMis(url=url, user="clinic", password="s3cret")  # noqa: S106
        assert len(onec.doctors()) == 60 + len(BRANCHES)
        with pytest.raises(MisError) as refused:
            OnecMis(url=url, user="site", password="onec").ping()  # noqa: S106
        assert not isinstance(refused.value, MisUnavailable)
        knobs = f"http://127.0.0.1:{closed_port}/_sim/knobs"
        assert httpx.get(knobs, timeout=5).json()["outage"] == ""
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
    assert process.returncode == 0
