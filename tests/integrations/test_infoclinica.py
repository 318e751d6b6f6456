"""Инфоклиника specifics the conformance suite does not cover: the OAuth2 token
(expiry, revocation, refused credentials, a skewed server clock), branch-local
times on the wire, its free-slot policy, the factory and the process entry point."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from lxml import etree

from integrations.mis import get_mis_adapter
from integrations.mis.demo import BRANCHES, DemoMis
from integrations.mis.infoclinica import InfoclinicaMis
from integrations.ports import MisError, MisUnavailable, SlotTaken
from integrations.simulators import registry
from integrations.simulators.infoclinica import NS, secret_for, serve
from tests.integrations.mis_systems import adapter_for, http_status
from tests.integrations.test_mis_conformance import free_request
from tests.polling import wait_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def simulator(mis_systems):
    """The infoclinica simulator of this module, reset to the reference clinic."""
    return mis_systems.get("infoclinica").simulator


def test_an_expired_token_is_renewed_without_failing_the_call(simulator):
    simulator.token_ttl = 0.5
    adapter = adapter_for(simulator)
    assert adapter.doctors()
    assert simulator.tokens_issued == 1
    # Expired on the server too: a stale token would get a 401.
    wait_for(
        lambda: all(expiry < time.monotonic() for expiry in simulator.tokens.values()),
        5,
        "the token to expire",
    )
    assert adapter.doctors()
    assert simulator.tokens_issued == 2


def test_a_revoked_token_gets_one_401_then_a_new_token(simulator):
    adapter = adapter_for(simulator)
    assert adapter.ping().ok
    simulator.revoke_tokens()  # the MIS restarted: our cached token means nothing now
    assert len(adapter.specialties()) > 5
    assert simulator.tokens_issued == 2


def test_refused_credentials_are_an_error_not_an_outage(simulator):
    adapter = adapter_for(simulator)
    assert adapter.ping().ok
    # The clinic rotates the key and revokes every token issued with the old one.
    simulator.client_key = "rotated"
    simulator.revoke_tokens()
    with pytest.raises(MisError) as raised:
        adapter.doctors()
    assert not isinstance(raised.value, MisUnavailable)
    assert "401" in str(raised.value)
    with pytest.raises(MisError) as raised:
        adapter_for(simulator, client_id="someone-else", client_key="rotated").ping()
    assert not isinstance(raised.value, MisUnavailable)


def test_a_token_request_is_refused_without_a_fresh_signed_stamp(simulator):
    stale = (datetime.now(ZoneInfo("Europe/Moscow")) - timedelta(hours=1)).strftime("%Y%m%d%H%M%S")
    answer = httpx.post(
        simulator.url + "/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "site",
            "client_secret": secret_for("site", "infoclinica", stale),
        },
        timeout=5,
    )
    assert answer.status_code == 401
    assert answer.json()["server_time"]
    no_token = httpx.post(simulator.url + "/api/xml", content=b"<x/>", timeout=5)
    assert no_token.status_code == 401


@pytest.mark.parametrize("skew", [-3600, 1200])
def test_a_skewed_server_clock_is_learned_for_the_secret_and_not_trusted_for_expiry(tmp_path, skew):
    with serve(0, store=tmp_path / "skew.sqlite3", clock_skew=skew) as simulator:
        adapter = adapter_for(simulator)
        status = adapter.ping()
        assert status.ok
        assert abs(int(status.extra["clock_skew"]) - skew) <= 5
        for _ in range(3):
            assert adapter.services()
        # One token for every call: its life is timed on our clock, so an
        # hour's skew neither expires it early nor keeps it past its time.
        assert simulator.tokens_issued == 1
        # Times are still right: the skew moves only the server's clock.
        request = free_request(adapter, f"skew-{skew}")
        assert adapter.book(request).start == request.start


def test_the_wire_carries_each_branchs_wall_clock_and_the_adapter_converts(simulator):
    adapter = adapter_for(simulator)
    day = datetime.now(ZoneInfo("Europe/Moscow")).date() + timedelta(days=1)
    token = adapter._bearer()
    message = (
        f'<WEB_SCHEDULE xmlns="{NS}"><MSH><MSH.10>raw-1</MSH.10></MSH><SCHEDULE_IN>'
        f"<BDATE>{day:%Y%m%d}</BDATE><FDATE>{day + timedelta(days=5):%Y%m%d}</FDATE>"
        "</SCHEDULE_IN></WEB_SCHEDULE>"
    ).encode()
    answer = httpx.post(
        simulator.url + "/api/xml",
        content=message,
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    rows = etree.fromstring(answer.content).findall(f".//{{{NS}}}INTERVAL")
    ekb_work = [
        r
        for r in rows
        if r.findtext(f"{{{NS}}}FILIAL") == "br-ekb" and r.findtext(f"{{{NS}}}ITYPE") == "1"
    ]
    assert ekb_work
    # Yekaterinburg's shifts begin at 08, 09 or 14 (the procedure room at 07:30) on its
    # own clock, no offset given.
    assert {int(r.findtext(f"{{{NS}}}BHOUR")) for r in ekb_work} <= {7, 8, 9, 14}
    work = adapter.schedule(start=day, end=day + timedelta(days=5)).work
    ekb = [w for w in work if w.branch_id == "br-ekb"]
    assert ekb and all(str(w.start.tzinfo) == "Europe/Moscow" for w in ekb)
    # Two hours earlier on Moscow's clock: 08:00 there is 06:00 here.
    assert {w.start.hour for w in ekb} <= {5, 6, 7, 12}


def test_lunch_is_bookable_in_infoclinica_as_its_slot_policy_says(simulator):
    adapter = adapter_for(simulator)
    assert adapter.slot_policy.breaks_block is False
    assert adapter.slot_policy != DemoMis.slot_policy
    request = free_request(adapter, "lunch-1")
    day = request.start.astimezone(ZoneInfo(adapter.time_zone)).date()
    schedule = adapter.schedule(start=day, end=day + timedelta(days=3))
    lunch = next(
        b
        for b in sorted(schedule.breaks, key=lambda b: (b.start, b.doctor_id))
        if not any(
            v.doctor_id == b.doctor_id and v.start < b.end and b.start < v.end
            for v in schedule.busy
        )
    )
    work = next(
        w
        for w in schedule.work
        if w.doctor_id == lunch.doctor_id and w.start <= lunch.start < w.end
    )
    in_lunch = replace(
        request,
        idempotency_key="lunch-2",
        doctor_id=lunch.doctor_id,
        branch_id=work.branch_id,
        start=lunch.start,
        end=lunch.start + timedelta(minutes=30),
    )
    appointment = adapter.book(in_lunch)
    assert (appointment.start, appointment.end) == (in_lunch.start, in_lunch.end)
    with pytest.raises(SlotTaken):
        adapter.book(replace(in_lunch, idempotency_key="lunch-3"))


def test_error_rate_knob_gives_transient_failures(simulator):
    adapter = adapter_for(simulator)
    adapter.ping()
    simulator.knobs.error_rate = 1.0
    with pytest.raises(MisUnavailable, match="HTTP 500"):
        adapter.doctors()


def test_constructing_touches_no_network_and_a_dead_address_is_unavailable(closed_port):
    adapter = InfoclinicaMis(
        url=f"http://127.0.0.1:{closed_port}", client_id="c", client_key="k", timeout=1.0
    )
    began = time.monotonic()
    with pytest.raises(MisUnavailable):
        adapter.ping()
    assert time.monotonic() - began < 1.5


def test_the_factory_builds_the_adapter_from_settings(settings):
    settings.MIS_ADAPTER = "infoclinica"
    settings.INFOCLINICA_URL = "http://mis.example:8080"
    settings.INFOCLINICA_CLIENT_ID = "site"
    settings.INFOCLINICA_CLIENT_KEY = "secret"
    settings.INFOCLINICA_TIME_ZONE = "Asia/Yekaterinburg"
    adapter = get_mis_adapter().unwrapped
    assert isinstance(adapter, InfoclinicaMis)
    assert adapter.url == "http://mis.example:8080"
    assert adapter.time_zone == "Asia/Yekaterinburg"


def test_runs_as_a_process_through_manage_py_simulate(closed_port):
    assert "infoclinica" in registry()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "simulate", "infoclinica", "--port", str(closed_port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        adapter = InfoclinicaMis(
            url=f"http://127.0.0.1:{closed_port}",
            client_id="site",
            client_key="infoclinica",
            timeout=2.0,
        )
        wait_for(lambda: http_status(adapter.url) is not None, 20, "the process")
        assert len(adapter.doctors()) == len(DemoMis().doctors())
        # The banner's knobs address is served.
        knobs = process.stdout.readline().decode().split("(knobs: ")[1].rstrip(")\n")
        assert httpx.get(knobs, timeout=5).json()["outage"] == ""
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)


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
    flags += ["--doctors", "60", "--client-id", "clinic", "--client-key", "k3y"]
    process = subprocess.Popen(
        [sys.executable, "-m", "integrations.simulators.infoclinica", *flags],
        cwd=ROOT,
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
        url = f"http://127.0.0.1:{closed_port}"
        infoclinica = InfoclinicaMis(url=url, client_id="clinic", client_key="k3y")
        assert len(infoclinica.doctors()) == 60 + len(BRANCHES)  # + procedure rooms
        with pytest.raises(MisError) as refused:
            InfoclinicaMis(url=url, client_id="site", client_key="infoclinica").ping()
        assert not isinstance(refused.value, MisUnavailable)
        assert httpx.get(f"{url}/_sim/knobs", timeout=5).json()["outage"] == ""
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
    assert process.returncode == 0
