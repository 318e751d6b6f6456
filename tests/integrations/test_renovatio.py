"""Renovatio specifics beyond the conformance suite: the lost createAppointment answer,
the `error=1` mapping, the simulator's quirks and strict mode, and the factory."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from integrations.mis import adapter_class, get_mis_adapter
from integrations.mis.renovatio import RenovatioMis
from integrations.ports import MisError, MisUnavailable, SlotTaken
from integrations.simulators.renovatio import serve
from integrations.simulators.renovatio.server import DEMO_API_KEY, normalise_phone
from tests.integrations.test_mis_conformance import free_request

MSK = ZoneInfo("Europe/Moscow")


@pytest.fixture(scope="module")
def running():
    simulator = serve(0)
    yield simulator
    simulator.close()


@pytest.fixture
def simulator(running):
    running.reset()
    return running


def connect(simulator, **overrides) -> RenovatioMis:
    return RenovatioMis(
        **{"url": simulator.url, "api_key": DEMO_API_KEY, "timeout": 5.0, **overrides}
    )


def call(simulator, method: str, **form: str) -> dict:
    form.setdefault("api_key", DEMO_API_KEY)
    return httpx.post(f"{simulator.url}/{method}", data=form, timeout=5).json()


def test_a_lost_answer_is_found_again_and_booked_once(simulator):
    adapter = connect(simulator)
    request = free_request(adapter, "reno-lost-1")
    simulator.set_knobs(lose_create_answers=1)
    with pytest.raises(MisUnavailable):
        adapter.book(request)
    assert len(simulator.appointments) == 1  # stored, though its answer was lost
    again = adapter.book(request)  # the outbox's retry: found by getAppointments
    assert len(simulator.appointments) == 1
    assert again.external_id in simulator.appointments
    assert (again.start, again.end) == (request.start, request.end)
    # Another request for the same patient and time is not the lost one: taken.
    with pytest.raises(SlotTaken):
        adapter.book(replace(request, idempotency_key="reno-lost-2"))
    assert len(simulator.appointments) == 1


def test_error_1_on_http_200_maps_to_slot_taken_and_mis_error(simulator):
    adapter = connect(simulator)
    request = free_request(adapter, "reno-taken-1")
    simulator.take_by_phone(doctor_id=request.doctor_id, start=request.start, end=request.end)
    answer = httpx.post(
        f"{simulator.url}/createAppointment",
        data={
            "api_key": DEMO_API_KEY,
            "doctor_id": request.doctor_id,
            "clinic_id": request.branch_id,
            "time_start": request.start.astimezone(MSK).strftime("%d.%m.%Y %H:%M"),
            "time_end": request.end.astimezone(MSK).strftime("%d.%m.%Y %H:%M"),
            "first_name": "Пётр",
            "last_name": "Тестов",
            "mobile": "89990000002",
            "check_intersection": "1",
        },
        timeout=5,
    )
    assert answer.status_code == 200 and answer.json()["error"] == 1
    assert set(answer.json()["data"]) == {"code", "desc"}
    with pytest.raises(SlotTaken):
        adapter.book(request)
    intruder = connect(simulator, api_key="not-the-key")
    for attempt in (intruder.ping, intruder.doctors, lambda: intruder.book(request)):
        with pytest.raises(MisError) as raised:
            attempt()
        assert not isinstance(raised.value, (MisUnavailable, SlotTaken))


def test_an_outage_is_unavailable(simulator):
    adapter = connect(simulator, timeout=1.0)
    for outage in ("503", "refused"):
        simulator.set_outage(outage)
        try:
            with pytest.raises(MisUnavailable):
                adapter.ping()
        finally:
            simulator.set_outage("")
    assert adapter.ping().ok


def test_busy_and_past_slots_are_hidden_unless_asked_and_step_sets_their_length(simulator):
    today = simulator.now().strftime("%d.%m.%Y")
    tomorrow = (simulator.now() + timedelta(days=1)).strftime("%d.%m.%Y")

    def slots(**flags: str) -> list[dict]:
        answer = call(simulator, "getSchedule", time_start=tomorrow, time_end=tomorrow, **flags)
        return [s for group in answer["data"].values() for s in group]

    free = slots(step="30")
    every = slots(step="30", show_busy="1")
    assert free and not any(s["is_busy"] for s in free)
    assert len(every) > len(free) and any(s["is_busy"] for s in every)
    assert len(slots(step="15", show_busy="1")) == 2 * len(every)
    first = free[0]
    length = datetime.strptime(first["time_end_short"], "%H:%M") - datetime.strptime(
        first["time_start_short"], "%H:%M"
    )
    assert length == timedelta(minutes=30) and first["date"] == tomorrow
    assert call(simulator, "getSchedule", time_start=tomorrow, step="25")["error"] == 1

    def today_slots(**flags: str) -> list[dict]:
        data = call(simulator, "getSchedule", time_start=today, show_busy="1", **flags)["data"]
        return [s for group in data.values() for s in group]

    now = simulator.now().strftime("%H:%M")
    assert all(s["time_start_short"] >= now for s in today_slots())
    assert len(today_slots(show_past="1")) >= len(today_slots())


def test_check_intersection_0_allows_an_overlap_and_1_refuses_it(simulator):
    adapter = connect(simulator)
    request = free_request(adapter, "reno-overlap-1")
    adapter.book(request)
    form = {
        "doctor_id": request.doctor_id,
        "clinic_id": request.branch_id,
        "time_start": request.start.astimezone(MSK).strftime("%d.%m.%Y %H:%M"),
        "time_end": request.end.astimezone(MSK).strftime("%d.%m.%Y %H:%M"),
        "first_name": "Анна",
        "last_name": "Другая",
        "mobile": "+7 (999) 000-00-77",
    }
    refused = call(simulator, "createAppointment", check_intersection="1", **form)
    assert refused["error"] == 1
    allowed = call(simulator, "createAppointment", check_intersection="0", **form)
    assert allowed["error"] == 0 and allowed["data"]["appointment_id"]
    # The phone was kept as +7…, and one patient comes back as an object, not a list.
    patient = call(simulator, "getPatient", mobile="8 999 000 00 77")["data"]
    assert isinstance(patient, dict) and patient["mobile"] == "+79990000077"
    assert normalise_phone("8(999)000-00-77") == normalise_phone("79990000077") == "+79990000077"


def test_strict_mode_refuses_what_the_public_contract_lacks(simulator):
    assert call(simulator, "getDoctorsEverywhere")["error"] == 1
    assert call(simulator, "getClinics", api_key="")["error"] == 1
    assert call(simulator, "getClinics", colour="blue")["error"] == 1
    assert call(simulator, "getClinics")["error"] == 0
    simulator.set_knobs(strict=False)
    assert call(simulator, "getClinics", colour="blue")["error"] == 0


def test_the_factory_builds_it_from_settings(simulator, settings):
    assert adapter_class("renovatio") is RenovatioMis
    settings.MIS_ADAPTER = "renovatio"
    settings.RENOVATIO_URL = simulator.url
    settings.RENOVATIO_API_KEY = DEMO_API_KEY
    settings.RENOVATIO_STEP = 30
    adapter = get_mis_adapter()
    assert adapter.ping().ok
    assert adapter.slot_policy.grid_minutes == 30
