"""Renovatio's contract samples (tests/integrations/contracts/renovatio/): the adapter
parses every answer sample and sends requests equal, field for field, to the request
samples. The samples are written in the public shape (help.rnova.org and public
clients, ../shared/MIS-PROTOCOLS.md §6); a tiny recording server serves them."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

import pytest

from integrations.mis.renovatio import RenovatioMis
from integrations.ports import BookingRequest, MisError, MisUnavailable, Patient
from tests.integrations.recording_server import Answer, Recorded, RecordingServer

SAMPLES = Path(__file__).parent / "contracts" / "renovatio"
MSK = ZoneInfo("Europe/Moscow")


def sample(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def booking(key: str, *, service_id: str) -> BookingRequest:
    """The samples' booking: doctor 12 in clinic 1 at 09:30-09:45 for patient 55."""
    return BookingRequest(
        idempotency_key=key,
        doctor_id="12",
        branch_id="1",
        service_id=service_id,
        start=datetime(2026, 12, 3, 9, 30, tzinfo=MSK),
        end=datetime(2026, 12, 3, 9, 45, tzinfo=MSK),
        patient=Patient(
            last_name="Петров", first_name="Иван", phone="+79990000155", external_id="55"
        ),
    )


class Recorder:
    """Answers `POST /<method>` with `<method>.answer.json` (or `override[method]`) and
    keeps each form."""

    def __init__(self) -> None:
        self.forms: dict[str, dict[str, str]] = {}
        self.override: dict[str, object] = {}
        self.server = RecordingServer(self._respond, root="/api/public", name="renovatio-contract")
        self.url = self.server.url

    def _respond(self, request: Recorded) -> Answer:
        method = request.path.rsplit("/", 1)[-1]
        self.forms[method] = dict(parse_qsl(request.body.decode("utf-8")))
        answer = self.override.get(method) or sample(f"{method}.answer")
        payload = json.dumps(answer, ensure_ascii=False).encode()
        return 200, payload, "application/json; charset=utf-8"


@pytest.fixture(scope="module")
def recorder():
    recorder = Recorder()
    yield recorder
    recorder.server.close()


@pytest.fixture
def adapter(recorder) -> RenovatioMis:
    recorder.forms.clear()
    recorder.override = {}
    return RenovatioMis(url=recorder.url, api_key="contract-key", timeout=5)


def test_every_answer_sample_is_parsed(adapter):
    assert [b.external_id for b in adapter.branches()] == ["1"]
    assert adapter.branches()[0].phone == "+79990000100"
    assert [(s.external_id, s.name) for s in adapter.specialties()] == [("7", "Терапия")]
    (service,) = adapter.services()
    assert (service.external_id, service.price, service.duration_minutes) == (
        "301",
        Decimal(2500),
        30,
    )
    (doctor,) = adapter.doctors()
    assert (doctor.last_name, doctor.first_name, doctor.middle_name) == (
        "Иванова",
        "Анна",
        "Петровна",
    )
    assert (doctor.specialty_ids, doctor.branch_ids) == (("7",), ("1",))
    schedule = adapter.schedule(start=date(2026, 12, 3), end=date(2026, 12, 3))
    assert [(w.doctor_id, w.branch_id, w.start, w.end) for w in schedule.work] == [
        ("12", "1", datetime(2026, 12, 3, 9, tzinfo=MSK), datetime(2026, 12, 3, 9, 45, tzinfo=MSK))
    ]
    assert [(b.start, b.end) for b in schedule.busy] == [
        (datetime(2026, 12, 3, 9, 15, tzinfo=MSK), datetime(2026, 12, 3, 9, 30, tzinfo=MSK))
    ]
    (patient,) = adapter.find_patients(phone="+79990000155", birth_date=date(1980, 2, 1))
    assert (patient.external_id, patient.middle_name, patient.birth_date) == (
        "55",
        "Сергеевич",
        date(1980, 2, 1),
    )


def test_the_requests_match_the_samples_field_for_field(adapter, recorder):
    adapter.schedule(start=date(2026, 12, 3), end=date(2026, 12, 3))
    adapter.find_patients(phone="+79990000155", birth_date=date(1980, 2, 1))
    booked = adapter.book(booking("contract-1", service_id="301"))
    assert booked.external_id == "9001"
    adapter.cancel(appointment_id="9001", idempotency_key="contract-c1")
    for method in ("getSchedule", "getPatient", "getAppointments", "createAppointment"):
        assert recorder.forms[method] == sample(f"{method}.request"), method
    assert recorder.forms["cancelAppointment"] == sample("cancelAppointment.request")


def test_a_scalar_appointment_id_and_the_error_sample(adapter, recorder):
    recorder.override = {"createAppointment": {"error": 0, "data": 9002}}
    assert adapter.book(booking("contract-2", service_id="")).external_id == "9002"
    recorder.override = {"getUsers": sample("error.answer")}
    with pytest.raises(MisError) as raised:
        adapter.doctors()
    assert not isinstance(raised.value, MisUnavailable)
    assert "401" in str(raised.value)
