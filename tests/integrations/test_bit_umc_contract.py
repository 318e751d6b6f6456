"""БИТ.УМЦ's contract samples (tests/integrations/contracts/bit_umc/): the adapter parses
every answer sample and sends bodies equal, field for field, to the request samples.
The samples are written in the public shape (czdetstvo/1bit-api-spec,
docs/api-docs/http-services/*; ../shared/MIS-PROTOCOLS.md §3.1), one-element lists
bare as 1C serialises them; a tiny recording server serves them over HTTP."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from integrations.mis.bit_umc import BitUmcMis
from integrations.ports import BookingRequest, MisError, MisUnavailable, Patient, SlotTaken
from tests.integrations.recording_server import Answer, Recorded, RecordingServer

SAMPLES = Path(__file__).parent / "contracts" / "bit_umc"
MSK = ZoneInfo("Europe/Moscow")
CLINIC = "f679444a-0000-4000-8000-000000000001"
EMPLOYEE = "e7005e6d-0000-4000-8000-000000000002"
SERVICE = "222df5d1-0000-4000-8000-000000000003"
GUID = "55b17f33-0000-4000-8000-000000000004"
KEY = "0123456789abcdef0123456789abcdef"


def sample(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))


JSON = "application/json; charset=utf-8"


class Recorder:
    """Answers `POST /<Op>` with `<Op>[.<Method>].answer.json`, or `override[op]` as
    (status, bytes, content type); keeps every body under the same name."""

    def __init__(self) -> None:
        self.bodies: dict[str, list[dict]] = {}
        self.override: dict[str, tuple[int, bytes, str]] = {}
        self.server = RecordingServer(self._respond, root="/umc/hs/bwi", name="bit-umc-contract")
        self.url = self.server.url

    def _respond(self, request: Recorded) -> Answer:
        op = request.path.rsplit("/", 1)[-1]
        body = json.loads(request.body)
        name = f"{op}.{body['Method']}" if op == "DictionaryData" else op
        self.bodies.setdefault(name, []).append(body)
        answer = json.dumps(sample(f"{name}.answer"), ensure_ascii=False).encode()
        return self.override.get(op) or (200, answer, JSON)


@pytest.fixture(scope="module")
def recorder():
    recorder = Recorder()
    yield recorder
    recorder.server.close()


@pytest.fixture
def adapter(recorder):
    recorder.bodies.clear()
    recorder.override.clear()
    return BitUmcMis(url=recorder.url, key=KEY, timeout=5.0)


def booking(key: str = "contract-1") -> BookingRequest:
    return BookingRequest(
        idempotency_key=key,
        doctor_id=EMPLOYEE,
        branch_id=CLINIC,
        service_id=SERVICE,
        start=datetime(2026, 12, 3, 10, 30, tzinfo=MSK),
        end=datetime(2026, 12, 3, 11, 0, tzinfo=MSK),
        patient=Patient(
            last_name="Бубаков",
            first_name="Борис",
            middle_name="Петрович",
            phone="+79990000155",
            birth_date=date(1980, 5, 14),
        ),
    )


def sent(recorder: Recorder, name: str) -> None:
    assert sample(f"{name}.request") in recorder.bodies[name]


def test_the_directory_parses_the_samples_and_sends_theirs(adapter, recorder):
    [branch] = adapter.branches()  # a one-element list comes bare
    assert (branch.external_id, branch.name, branch.time_zone) == (
        CLINIC,
        "Центральная клиника",
        "Europe/Moscow",
    )
    doctors = {d.external_id: d for d in adapter.doctors()}
    assert doctors[EMPLOYEE].last_name == "Красильникова"
    assert doctors[EMPLOYEE].middle_name == "Семеновна"
    assert doctors[EMPLOYEE].branch_ids == (CLINIC,)
    assert doctors[EMPLOYEE].specialty_ids == ("Дерматология и косметология",)
    assert [s.name for s in adapter.specialties()] == ["Дерматология и косметология", "Диагностика"]
    [service] = adapter.services()
    assert (service.external_id, service.price, service.duration_minutes) == (
        SERVICE,
        Decimal("1500"),
        30,
    )
    for name in ("GetListClinic", "GetListEmployees", "GetNomenclatureAndPrices"):
        sent(recorder, f"DictionaryData.{name}")


def test_the_schedule_parses_both_shapes_and_sends_its_sample(adapter, recorder):
    schedule = adapter.schedule(start=date(2026, 12, 3), end=date(2026, 12, 3))
    at = lambda h, m: datetime(2026, 12, 3, h, m, tzinfo=MSK)  # noqa: E731
    work = {(w.doctor_id, w.start, w.end) for w in schedule.work}
    assert (EMPLOYEE, at(9, 0), at(13, 0)) in work  # free + busy + free, back to back
    assert ("ac30e139-0000-4000-8000-000000000005", at(14, 0), at(18, 0)) in work
    assert [(b.doctor_id, b.start, b.end) for b in schedule.busy] == [
        (EMPLOYEE, at(9, 30), at(10, 30))
    ]
    sent(recorder, "Schedule")


def test_book_and_cancel_send_their_samples(adapter, recorder):
    appointment = adapter.book(booking())
    assert appointment.external_id == GUID
    sent(recorder, "Reservation")
    sent(recorder, "AppointmentCreate")
    adapter.cancel(appointment_id=GUID, idempotency_key="contract-cancel")
    sent(recorder, "AppointmentStatus")
    sent(recorder, "AppointmentCancel")


def test_the_error_samples_map_to_the_ports_errors(adapter, recorder):
    overlap = (SAMPLES / "overlap.500.txt").read_bytes()
    recorder.override["Reservation"] = (500, overlap, "text/plain; charset=utf-8")
    with pytest.raises(SlotTaken):
        adapter.book(booking("contract-2"))
    page = (SAMPLES / "outage.500.html").read_bytes()
    recorder.override["Reservation"] = (500, page, "text/html")
    with pytest.raises(MisUnavailable):
        adapter.book(booking("contract-3"))
    refused = json.dumps(sample("error.answer"), ensure_ascii=False).encode()
    recorder.override["DictionaryData"] = (200, refused, "application/json")
    with pytest.raises(MisError) as caught:
        adapter.branches()
    assert not isinstance(caught.value, MisUnavailable | SlotTaken)
