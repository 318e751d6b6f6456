"""FHIR R4 specifics the conformance suite does not cover: lab reports (the
PatientRecordSource port), OperationOutcome errors, paging, knobs, the slot
policy against the server's own Slots, the factory and the registry."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from booking.slots import Interval, free_slots
from integrations.mis import get_mis_adapter
from integrations.mis.demo import BRANCHES, DemoMis
from integrations.mis.demo_patients import DEMO_PATIENT
from integrations.mis.fhir import FhirMis
from integrations.ports import MisError, MisUnavailable, PatientRecordSource, SlotTaken
from integrations.protocols import fhir as fhir_protocol
from integrations.simulators import registry
from integrations.simulators.fhir import FhirSimulator, serve
from tests.integrations.mis_systems import adapter_for, http_status
from tests.integrations.test_mis_conformance import free_request
from tests.polling import wait_for

TOKEN = "fhir-demo-token"  # noqa: S105
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def simulator(mis_systems):
    """The fhir simulator of this module, reset to the reference clinic."""
    return mis_systems.get("fhir").simulator


def test_patient_record_has_the_lab_reports_with_observations_and_reference_ranges(simulator):
    adapter = adapter_for(simulator)
    assert isinstance(adapter, PatientRecordSource)
    record = adapter.patient_record(patient_id=DEMO_PATIENT.external_id)
    reports = record.lab_reports
    assert len(reports) == 6
    titles = {r.title for r in reports}
    assert {"Общий анализ крови с лейкоцитарной формулой", "Липидный профиль"} <= titles
    blood = next(r for r in reports if r.lab_test_id == "lt-B03.016.003")
    assert blood.patient_id == DEMO_PATIENT.external_id
    assert blood.collected_at.tzinfo is not None and blood.issued_at > blood.collected_at
    hemoglobin = next(o for o in blood.observations if o.code == "718-7")
    assert hemoglobin.name == "Гемоглобин" and hemoglobin.unit == "г/л"
    assert (hemoglobin.ref_low, hemoglobin.ref_high) == (Decimal(120), Decimal(160))
    assert hemoglobin.numeric is not None and hemoglobin.value == str(hemoglobin.numeric)
    numeric = [o for r in reports for o in r.observations if o.numeric is not None]
    assert numeric and all(o.ref_low is not None and o.ref_high is not None for o in numeric)
    # A value outside its range is named in the report's conclusion.
    outside = [
        (r, o)
        for r in reports
        for o in r.observations
        if o.numeric and not o.ref_low <= o.numeric <= o.ref_high
    ]
    assert outside and all(o.name in r.conclusion for r, o in outside)
    qualitative = next(o for r in reports for o in r.observations if o.numeric is None)
    assert qualitative.value == "отрицательно" and qualitative.ref_low is None
    # Decimal commas, as a Russian lab prints them.
    assert any("," in o.value for o in numeric)


def test_patient_record_since_a_date_and_of_a_patient_without_labs(simulator):
    adapter = adapter_for(simulator)
    today = datetime.now(ZoneInfo(adapter.time_zone)).date()
    recent = adapter.patient_record(
        patient_id=DEMO_PATIENT.external_id, since=today - timedelta(days=60)
    ).lab_reports
    assert len(recent) == 3
    assert all(r.collected_at.date() >= today - timedelta(days=60) for r in recent)
    assert all(r.observations for r in recent)
    assert adapter.patient_record(patient_id="pt-demo-0003").lab_reports == ()


def test_the_lab_reports_are_the_same_on_every_call(simulator):
    adapter = adapter_for(simulator)
    first = adapter.patient_record(patient_id=DEMO_PATIENT.external_id)
    assert adapter.patient_record(patient_id=DEMO_PATIENT.external_id) == first


def test_errors_are_operation_outcomes(simulator):
    missing = httpx.get(
        f"{simulator.url}/Slot", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5
    )
    assert missing.status_code == 400
    assert missing.json()["resourceType"] == "OperationOutcome"
    anonymous = httpx.get(f"{simulator.url}/Practitioner", timeout=5)
    assert anonymous.status_code == 401
    assert anonymous.json()["issue"][0]["code"] == "login"
    adapter = adapter_for(simulator)
    with pytest.raises(MisError) as raised:
        adapter.cancel(appointment_id="ap-unknown", idempotency_key="k")
    assert not isinstance(raised.value, MisUnavailable)
    assert "not known" in str(raised.value)


def test_error_rate_knob_gives_transient_failures(simulator):
    adapter = adapter_for(simulator)
    simulator.knobs.error_rate = 1.0
    with pytest.raises(MisUnavailable, match="simulated internal error"):
        adapter.doctors()
    simulator.knobs.error_rate = 0.0
    assert adapter.ping().ok


def test_searches_follow_the_next_links(simulator, monkeypatch):
    monkeypatch.setattr(fhir_protocol, "PAGE_SIZE", 7)
    pages = []
    adapter = adapter_for(simulator)
    adapter._http.event_hooks["request"].append(lambda request: pages.append(request.url))
    assert adapter.doctors() == DemoMis().doctors()
    # 44 doctors and 3 procedure rooms, 7 a page.
    assert sum("/Practitioner?" in str(url) for url in pages) == -(-len(DemoMis().doctors()) // 7)


def test_clock_skew_is_reported_by_ping(simulator):
    simulator.knobs.clock_skew = 3600
    status = adapter_for(simulator).ping()
    assert status.ok and status.extra["fhir_version"] == "4.0.1"
    assert abs(int(status.extra["clock_skew"]) - 3600) <= 5


def test_a_refused_booking_is_not_retried_as_the_same_appointment(simulator):
    """The conditional create only matches its own key: another key on busy time is a 409."""
    adapter = adapter_for(simulator)
    request = free_request(adapter, "fhir-k-1")
    booked = adapter.book(request)
    raw = httpx.post(
        f"{simulator.url}/Appointment",
        json={
            "resourceType": "Appointment",
            "status": "booked",
            "start": request.start.isoformat(),
            "end": request.end.isoformat(),
            "slot": [{"reference": "Slot/whatever"}],
            "participant": [
                {"actor": {"reference": f"Practitioner/{request.doctor_id}"}, "status": "accepted"}
            ],
        },
        headers={"Authorization": f"Bearer {TOKEN}", "If-None-Exist": "identifier=other"},
        timeout=5,
    )
    assert raw.status_code == 409 and raw.json()["issue"][0]["code"] == "conflict"
    again = httpx.post(
        f"{simulator.url}/Appointment",
        json={"resourceType": "Appointment", "status": "booked"},
        headers={
            "Authorization": f"Bearer {TOKEN}",
            "If-None-Exist": "identifier=urn:clinic:fhir:booking|fhir-k-1",
        },
        timeout=5,
    )
    assert again.status_code == 200 and again.json()["id"] == booked.external_id


def test_a_new_patient_is_created_once_then_found(simulator):
    adapter = adapter_for(simulator)
    request = free_request(adapter, "fhir-new-patient")
    adapter.book(request)
    found = adapter.find_patients(phone=request.patient.phone, last_name="тестов")
    assert [(p.last_name, p.first_name) for p in found] == [("Тестов", "Пётр")]
    assert found[0].external_id.startswith("pt-fhir-")
    later = free_request(adapter, "fhir-new-patient-2")
    adapter.book(later)
    assert len(adapter.find_patients(phone=request.patient.phone)) == 1


def test_the_declared_slot_policy_offers_only_what_the_server_books(simulator):
    """Every slot the site computes with FhirMis.slot_policy is a run of free
    Slots on the server, and every free Slot starting on the grid with enough
    free time after it is a slot the site offers."""
    adapter = adapter_for(simulator)
    policy = adapter.slot_policy
    zone = ZoneInfo(adapter.time_zone)
    day = datetime.now(zone).date() + timedelta(days=1)
    schedule = adapter.schedule(start=day, end=day)
    begins = datetime.combine(day, datetime.min.time(), zone)
    server = httpx.get(
        f"{simulator.url}/Slot",
        params={
            "start": [f"ge{begins.isoformat()}", f"lt{(begins + timedelta(days=1)).isoformat()}"],
            "status": "free",
            "_count": "10000",
        },
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    ).json()
    free = {}
    for entry in server["entry"]:
        slot = entry["resource"]
        doctor = slot["schedule"]["reference"].split("/")[1].split(".")[0]
        free.setdefault(doctor, []).append(
            (datetime.fromisoformat(slot["start"]), datetime.fromisoformat(slot["end"]))
        )
    duration = timedelta(minutes=30)
    compared = 0
    for doctor in sorted({w.doctor_id for w in schedule.work})[:10]:
        work = [w for w in schedule.work if w.doctor_id == doctor]
        ours = free_slots(
            work=[Interval(w.start, w.end, w.branch_id) for w in work],
            busy=[Interval(b.start, b.end) for b in schedule.busy if b.doctor_id == doctor],
            breaks=[Interval(b.start, b.end) for b in schedule.breaks if b.doctor_id == doctor],
            duration=duration,
            buffer=timedelta(minutes=policy.buffer_minutes),
            grid=timedelta(minutes=policy.grid_minutes),
            breaks_block=policy.breaks_block,
        )
        pieces = sorted(free.get(doctor, []))

        def covered(start, end, pieces=pieces):
            cursor = start
            for piece_start, piece_end in pieces:
                if piece_start <= cursor < piece_end:
                    cursor = piece_end
            return cursor >= end

        grid = timedelta(minutes=policy.grid_minutes)
        shifts = [w.start for w in work]
        server_starts = {
            start
            for start, _ in pieces
            if any((start - s) % grid == timedelta(0) for s in shifts)
            and covered(start, start + duration)
        }
        assert all(covered(s.start, s.end) for s in ours), doctor
        assert {s.start for s in ours} == server_starts, doctor
        compared += len(ours)
    assert compared > 20


def test_the_factory_builds_the_adapter_from_settings(settings):
    settings.MIS_ADAPTER = "fhir"
    settings.FHIR_URL = "https://fhir.example/r4"
    settings.FHIR_TOKEN = "secret"
    settings.FHIR_TIME_ZONE = "Asia/Yekaterinburg"
    adapter = get_mis_adapter().unwrapped
    assert isinstance(adapter, FhirMis)
    assert adapter.url == "https://fhir.example/r4/"
    assert adapter.time_zone == "Asia/Yekaterinburg"


def test_registered_for_manage_py_simulate():
    assert registry()["fhir"] is FhirSimulator


def test_manage_py_simulate_serves_it(closed_port, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "simulate", "fhir", "--port", str(closed_port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{closed_port}/fhir"
        wait_for(lambda: http_status(f"{url}/metadata") == 401, 20, "the process")
        adapter = FhirMis(url=url, token=TOKEN, timeout=5.0)
        assert len(adapter.doctors()) == len(DemoMis().doctors())
        # The banner names the knobs endpoint, which every simulator serves.
        banner = process.stdout.readline().decode()
        knobs = f"http://127.0.0.1:{closed_port}/_sim/knobs"
        assert url in banner and knobs in banner
        assert httpx.get(knobs, timeout=5).json()["token"] == TOKEN
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0  # the command stops cleanly when terminated


def test_patient_record_has_the_visits_with_protocol_and_diagnoses(simulator):
    adapter = adapter_for(simulator)
    visits = adapter.patient_record(patient_id=DEMO_PATIENT.external_id).visits
    assert [v.doctor_id for v in visits] == ["dr-047-1", "dr-015-1", "dr-058-1"]
    cardiology = visits[1]
    assert cardiology.branch_id == "br-msk" and cardiology.start.tzinfo is not None
    assert (
        cardiology.protocol.splitlines()[0] == "Жалобы: эпизоды повышения АД до 150/95 мм рт. ст."
    )
    assert len(cardiology.protocol.splitlines()) == 3
    assert [(d.code, d.kind) for d in cardiology.diagnoses] == [
        ("I10", "main"),
        ("E78.0", "concomitant"),
    ]
    assert cardiology.diagnoses[0].name == "Эссенциальная (первичная) гипертензия"
    today = datetime.now(ZoneInfo(adapter.time_zone)).date()
    recent = adapter.patient_record(
        patient_id=DEMO_PATIENT.external_id, since=today - timedelta(days=10)
    )
    assert [v.doctor_id for v in recent.visits] == ["dr-047-1"]
    assert recent.visits[0].diagnoses[0].code == "R53"
    assert adapter.patient_record(patient_id="pt-demo-0003").visits == ()


def test_the_doctors_knob_sizes_the_clinic(tmp_path):
    with serve(0, store=tmp_path / "big.sqlite3", doctors=200) as big:
        doctors = adapter_for(big).doctors()
    assert len(doctors) == len({d.external_id for d in doctors}) == 200 + len(BRANCHES)
    assert {s for d in doctors for s in d.specialty_ids} == {
        s.external_id for s in DemoMis().specialties()
    }
    # The default clinic is the demo's own 44 (and a procedure room a branch), and the
    # first of a bigger one are the same.
    assert len(DemoMis().doctors()) == 44 + len(BRANCHES)
    assert doctors[0] == DemoMis().doctors()[0]


def test_the_knobs_model_minimal_answers_tentative_slots_and_duplicate_identifiers(simulator):
    """R4 http.html (Prefer; conditional create's 412) and slot.html (SlotStatus)."""
    adapter = adapter_for(simulator)
    simulator.set_knobs(minimal=True)
    person = {
        "resourceType": "Patient",
        "name": [{"family": "Минимова"}],
        "telecom": [{"system": "phone", "value": "+79990001414"}],
    }
    auth = {"Authorization": f"Bearer {TOKEN}"}
    bare = httpx.post(f"{simulator.url}/Patient", json=person, headers=auth, timeout=5)
    assert (bare.status_code, bare.content) == (201, b"")
    assert "/fhir/Patient/pt-fhir-" in bare.headers["Location"]
    full = httpx.post(
        f"{simulator.url}/Patient",
        json=person,
        headers={**auth, "Prefer": "return=representation"},
        timeout=5,
    )
    assert full.status_code == 201 and full.json()["resourceType"] == "Patient"

    day = datetime.now(ZoneInfo(adapter.time_zone)).date() + timedelta(days=1)
    plain = adapter.schedule(start=day, end=day)
    simulator.set_knobs(tentative_every=4)
    held = adapter.schedule(start=day, end=day)
    assert len(held.busy) > len(plain.busy) and held.work == plain.work

    simulator.set_knobs(duplicated_keys=["fhir-dup-1"])
    with pytest.raises(MisError) as raised:
        adapter.book(free_request(adapter, "fhir-dup-1"))
    assert not isinstance(raised.value, SlotTaken)
    assert "fhir-dup-1" in str(raised.value)
