"""БИТ.УМЦ specifics beyond the conformance suite, against its simulator over HTTP:
one-element lists, the HTTP 500 overlap (SlotTaken) told from a 500 outage page
(MisUnavailable), the lost AppointmentCreate answer (one booking), a wrong Key
(MisError), strict mode, the lapsing бронь and the factory."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from integrations.mis import adapter_class
from integrations.mis.bit_umc import BitUmcMis
from integrations.ports import MisError, MisUnavailable, SlotTaken
from integrations.simulators.bit_umc import serve
from integrations.simulators.bit_umc.server import DEMO_KEY
from tests.integrations.test_mis_conformance import free_request


@pytest.fixture(scope="module")
def running():
    simulator = serve(0)
    yield simulator
    simulator.close()


@pytest.fixture
def simulator(running):
    running.reset()
    return running


def connect(simulator, **overrides) -> BitUmcMis:
    return BitUmcMis(**{"url": simulator.url, "key": DEMO_KEY, "timeout": 5.0, **overrides})


def call(simulator, op: str, **body: object) -> httpx.Response:
    return httpx.post(f"{simulator.url}/{op}", json={"Key": DEMO_KEY, **body}, timeout=5)


def live_orders(simulator) -> list[dict]:
    return [row for row in simulator.orders.values() if row["status"] == "1"]


def test_one_element_lists_come_bare_and_are_read_as_lists(simulator):
    adapter = connect(simulator)
    day = free_request(adapter, "bit-one").start.date()
    since = day.strftime("%d.%m.%Y 00:00:00")
    raw = call(simulator, "Schedule", StartDate=since, FinishDate=since).json()["Ответ"]
    periods = [
        part["ПериодГрафика"]
        for row in raw["ГрафикДляСайта"]
        for part in row["ПериодыГрафика"].values()
        if part
    ]
    assert any(isinstance(p, dict) for p in periods)  # the quirk: one period, bare
    counted = sum(1 if isinstance(p, dict) else len(p) for p in periods)
    schedule = adapter.schedule(start=day, end=day)
    free = sum(1 for p in periods for q in ([p] if isinstance(p, dict) else p) if q["ВидВремени"])
    assert len(schedule.busy) == counted - free
    assert {w.doctor_id for w in schedule.work} == {r["СотрудникID"] for r in raw["ГрафикДляСайта"]}
    # A clinic with one employee answers GetListEmployees with a bare object too.
    one = call(simulator, "DictionaryData", Method="GetListEmployees", EmployeeID="dr-047-1")
    assert isinstance(one.json()["Ответ"]["Сотрудники"], dict)


def test_an_overlap_is_a_500_with_1c_text_and_becomes_slot_taken(simulator):
    adapter = connect(simulator)
    request = free_request(adapter, "bit-overlap")
    simulator.take_by_phone(doctor_id=request.doctor_id, start=request.start, end=request.end)
    raw = call(simulator, "Reservation", **adapter._when(request))  # noqa: SLF001
    assert raw.status_code == 500 and raw.text.startswith("Не удалось записать документ")
    with pytest.raises(SlotTaken):
        adapter.book(request)
    with pytest.raises(SlotTaken):
        connect(simulator, reserve_first=False).book(replace(request, idempotency_key="bit-o2"))


def test_a_500_page_or_a_503_is_an_outage(simulator):
    adapter = connect(simulator)
    simulator.set_knobs(error_rate=1.0)
    with pytest.raises(MisUnavailable):
        adapter.branches()
    simulator.set_knobs(error_rate=0.0)
    simulator.set_outage("503")
    with pytest.raises(MisUnavailable):
        adapter.branches()


def test_a_lost_answer_gives_exactly_one_booking(simulator):
    adapter = connect(simulator)
    request = free_request(adapter, "bit-lost")
    simulator.set_knobs(lose_create_answers=1)
    with pytest.raises(MisUnavailable):
        adapter.book(request)
    assert len(live_orders(simulator)) == 1  # the бронь became the Заявка, its answer lost
    again = adapter.book(request)  # the outbox's retry: the same GUID, the same Заявка
    assert list(simulator.orders) == [again.external_id]
    assert len(live_orders(simulator)) == 1
    # Another request for the same time meets the overlap.
    with pytest.raises(SlotTaken):
        adapter.book(replace(request, idempotency_key="bit-lost-2"))
    assert len(live_orders(simulator)) == 1


def test_a_wrong_key_is_an_error_not_an_outage(simulator):
    with pytest.raises(MisError) as caught:
        connect(simulator, key="not-the-key").branches()
    assert not isinstance(caught.value, MisUnavailable | SlotTaken)


def test_the_publications_basic_login(simulator):
    simulator.set_knobs(user="site", password="secret")
    with pytest.raises(MisError):
        connect(simulator).branches()
    assert connect(simulator, user="site", password="secret").branches()


def test_strict_mode_refuses_fields_the_spec_does_not_have(simulator):
    answer = call(simulator, "DictionaryData", Method="GetListClinic", Limit=5).json()["Ответ"]
    assert answer["Результат"] == "false"
    assert call(simulator, "Patients").status_code == 404


def test_a_reservation_lapses_and_frees_the_time(simulator):
    adapter = connect(simulator)
    request = free_request(adapter, "bit-hold")
    simulator.set_knobs(reservation_minutes=0)
    adapter._reserve(request)  # noqa: SLF001 - a бронь whose Заявка never came
    simulator.set_knobs(reservation_minutes=15)
    booked = adapter.book(replace(request, idempotency_key="bit-hold-2"))
    assert simulator.orders[booked.external_id]["status"] == "1"


def test_the_factory_knows_bit_umc():
    assert adapter_class("bit_umc") is BitUmcMis
