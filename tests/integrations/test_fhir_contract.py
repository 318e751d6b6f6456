"""The FHIR adapter against R4-shaped samples (tests/integrations/contracts/fhir/).

The samples are written from the R4 text and examples (http.html: create,
conditional create, the Prefer header, managing resource contention;
search.html: paging and chained parameters; slot.html: SlotStatus). A tiny
HTTP server of this test answers a script of them in order and records each
request; the adapter must parse every answer and send requests that match
the request samples field for field.
"""

from __future__ import annotations

import json
import threading
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from integrations.mis.fhir import FhirMis
from integrations.ports import BookingRequest, MisError, Patient, SlotTaken

CONTRACTS = Path(__file__).parent / "contracts" / "fhir"
# The base the samples are written with; the server answers with its own.
SAMPLE_BASE = "http://fhir.example.org/fhir"
MSK = ZoneInfo("Europe/Moscow")


def sample(name: str) -> dict:
    return json.loads((CONTRACTS / name).read_text())


class Recorder(ThreadingHTTPServer):
    """Answers `script` (answer samples, in order) and records every request."""

    daemon_threads = True

    def __init__(self, script: list[str]):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script = list(script)
        self.requests: list[dict] = []
        self.base = f"http://127.0.0.1:{self.server_address[1]}/fhir"


class _Handler(BaseHTTPRequestHandler):
    server: Recorder

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        self.server.requests.append(
            {
                "method": self.command,
                "path": split.path,
                "query": parse_qs(split.query),
                "headers": dict(self.headers.items()),
                "body": json.loads(body) if body else None,
            }
        )
        answer = sample(self.server.script.pop(0))
        text = json.dumps(answer["body"]).replace(SAMPLE_BASE, self.server.base)
        self.send_response(answer["status"])
        for name, value in answer["headers"].items():
            self.send_header(name, value.replace(SAMPLE_BASE, self.server.base))
        payload = text.encode() if answer["body"] is not None else b""
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recorder():
    servers: list[Recorder] = []

    def start(*script: str) -> tuple[FhirMis, Recorder]:
        server = Recorder(list(script))
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        servers.append(server)
        return FhirMis(url=server.base, token="contract-token", timeout=5), server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def booking() -> BookingRequest:
    """The booking the create request sample carries."""
    return BookingRequest(
        idempotency_key="bk-7f3a",
        doctor_id="pr-1",
        branch_id="loc-1",
        service_id="svc-12",
        start=datetime(2026, 12, 10, 10, 0, tzinfo=MSK),
        end=datetime(2026, 12, 10, 10, 15, tzinfo=MSK),
        patient=Patient(
            last_name="Тестова", first_name="Анна", phone="+79990000001", external_id="pt-501"
        ),
    )


def assert_matches(sent: dict, name: str) -> None:
    """The request has the sample's method, path, headers and, field for field, body."""
    expected = sample(name)
    assert (sent["method"], sent["path"]) == (expected["method"], expected["path"])
    for header, value in expected["headers"].items():
        assert sent["headers"].get(header) == value, header
    assert sent["body"] == expected["body"]


def test_slot_pages_with_every_status_give_work_busy_and_breaks(recorder):
    """slot.html: busy-tentative is taken time, entered-in-error no time at all; the
    searchset's `next` link is followed."""
    adapter, server = recorder(
        "schedules.answer.json", "slots.page1.answer.json", "slots.page2.answer.json"
    )
    schedule = adapter.schedule(start=date(2026, 12, 10), end=date(2026, 12, 10))

    def at(hour: int, minute: int) -> datetime:
        return datetime(2026, 12, 10, hour, minute, tzinfo=MSK)

    assert [(w.doctor_id, w.branch_id, w.start, w.end) for w in schedule.work] == [
        ("pr-1", "loc-1", at(9, 0), at(10, 15))
    ]
    assert [(b.start, b.end) for b in schedule.busy] == [
        (at(9, 15), at(9, 30)),
        (at(9, 30), at(9, 45)),
    ]
    assert [(b.start, b.end) for b in schedule.breaks] == [(at(9, 45), at(10, 0))]
    assert server.requests[2]["query"]["_getpagesoffset"] == ["3"]
    assert not server.script


def test_booking_without_chained_search_sends_the_create_sample_and_reads_the_location(
    recorder,
):
    """search.html: a refused chain falls back to Schedule?actor= then Slot?schedule=;
    http.html: the create asks for the representation, and a 201 with only a
    Location is read back from it."""
    adapter, server = recorder(
        "chained-search-refused.answer.json",
        "schedules.answer.json",
        "slots.booking.answer.json",
        "appointment-created.answer.json",
        "appointment-read.answer.json",
    )
    booked = adapter.book(booking())
    assert (booked.external_id, booked.doctor_id, booked.status) == ("apt-1001", "pr-1", "booked")
    assert booked.start == booking().start
    chained, schedules, slots, create, read = server.requests
    assert chained["query"]["schedule.actor"] == ["Practitioner/pr-1"]
    assert (schedules["path"], schedules["query"]["actor"]) == (
        "/fhir/Schedule",
        ["Practitioner/pr-1"],
    )
    assert (slots["path"], slots["query"]["schedule"]) == ("/fhir/Slot", ["Schedule/sch-1"])
    assert_matches(create, "appointment-create.request.json")
    assert (read["method"], read["path"]) == ("GET", "/fhir/Appointment/apt-1001")


def test_a_412_on_the_conditional_create_is_a_duplicate_identifier_not_a_taken_slot(recorder):
    """http.html, conditional create: 412 is several matches of If-None-Exist."""
    adapter, server = recorder("slots.booking.answer.json", "duplicate-identifier.answer.json")
    with pytest.raises(MisError) as raised:
        adapter.book(booking())
    assert not isinstance(raised.value, SlotTaken)
    assert "urn:clinic:fhir:booking|bk-7f3a" in str(raised.value)
    assert_matches(server.requests[1], "appointment-create.request.json")


def test_cancel_sends_if_match_and_reads_again_once_on_a_stale_etag(recorder):
    """http.html, managing resource contention: If-Match with the read's ETag; a 412
    (another version meanwhile) is read again and the PUT sent once more."""
    adapter, server = recorder(
        "appointment-read.answer.json",
        "stale-etag.answer.json",
        "appointment-read-again.answer.json",
        "appointment-cancelled.answer.json",
    )
    adapter.cancel(appointment_id="apt-1001", idempotency_key="cancel-bk-7f3a")
    first, stale, again, put = server.requests
    assert (first["method"], again["method"]) == ("GET", "GET")
    assert stale["headers"]["If-Match"] == 'W/"1"'
    assert_matches(put, "appointment-cancel.request.json")
    assert not server.script


def test_a_matched_conditional_create_without_body_or_location_is_searched_by_identifier(
    recorder,
):
    """http.html, conditional create: one match answers 200 and need not carry the
    resource; it is found again by the identifier of If-None-Exist."""
    adapter, server = recorder(
        "slots.booking.answer.json",
        "appointment-matched.answer.json",
        "appointment-search.answer.json",
    )
    assert adapter.book(booking()).external_id == "apt-1001"
    search = server.requests[2]
    assert (search["path"], search["query"]["identifier"]) == (
        "/fhir/Appointment",
        ["urn:clinic:fhir:booking|bk-7f3a"],
    )
