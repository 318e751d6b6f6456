"""Архимед contract samples (tests/integrations/contracts/archimed/): the adapter
parses every answer sample and sends requests matching the request samples field
for field, through a tiny recording HTTP server that replays the samples."""

from __future__ import annotations

import json
import threading
from datetime import date, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit
from zoneinfo import ZoneInfo

import pytest

from integrations.mis.archimed import ArchimedMis
from integrations.ports import BookingRequest, Patient

SAMPLES = Path(__file__).parent / "contracts" / "archimed"
ANSWERS = SAMPLES / "answers"
MOSCOW = ZoneInfo("Europe/Moscow")


class _Replay(BaseHTTPRequestHandler):
    """Answers each request with the sample its "METHOD path?sorted query" names."""

    index: dict[str, str]
    recorded: list[dict]

    def _serve(self) -> None:
        split = urlsplit(self.path)
        query = dict(parse_qsl(split.query))
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        path = split.path.removeprefix("/api/v5/")
        self.recorded.append(
            {
                "method": self.command,
                "path": path,
                "query": query,
                "body": body,
                "authorization": self.headers.get("Authorization") or "",
            }
        )
        key = f"{self.command} {path}" + (f"?{urlencode(sorted(query.items()))}" if query else "")
        name = self.index.get(key)
        payload = (ANSWERS / name).read_bytes() if name else b'{"code": 404, "message": "?"}'
        self.send_response(200 if name else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_DELETE = _serve  # noqa: N815 - http.server's naming

    def log_message(self, *_args) -> None:
        pass


@pytest.fixture(scope="module")
def replay():
    handler = type(
        "Replay",
        (_Replay,),
        {"index": json.loads((ANSWERS / "index.json").read_text()), "recorded": []},
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/v5", handler.recorded
    server.shutdown()
    server.server_close()


def _adapter(url: str, **options) -> ArchimedMis:
    return ArchimedMis(url=url, api_id="contract-id", api_secret="contract-secret", **options)


def test_every_answer_sample_parses_and_every_request_matches_its_sample(replay):
    url, recorded = replay
    recorded.clear()
    mis = _adapter(url, delete_reason="Отмена пациентом")
    paged = _adapter(url, page_limit=2)

    branches = mis.branches()
    assert [(b.external_id, b.name, b.phone) for b in branches] == [
        ("1", "Корпус на Садовой", ""),
        ("3", "Корпус на Лесной", "+70000000003"),
    ]
    doctors = paged.doctors()  # two pages: total 3, limit 2
    assert [d.external_id for d in doctors] == ["17", "18", "19"]
    assert doctors[0].last_name == "Образцова" and doctors[0].middle_name == "Петровна"
    assert doctors[0].category == "высшая" and doctors[0].branch_ids == ("1",)
    assert doctors[1].specialty_ids == ("5", "4")
    services = mis.services()
    assert services[0].price == Decimal("1500.00") and services[0].duration_minutes == 30
    assert services[0].specialty_id == "4" and services[1].specialty_id is None
    slots = mis.free_slots(doctor_id="17", start=date(2031, 2, 3), end=date(2031, 2, 3))
    assert [(s.start.hour, s.start.minute, s.branch_id) for s in slots] == [
        (9, 0, "1"),
        (9, 30, "1"),
    ]
    start = datetime(2031, 2, 3, 9, 0, tzinfo=MOSCOW)
    appointment = mis.book(
        BookingRequest(
            idempotency_key="contract-1",
            doctor_id="17",
            branch_id="1",
            service_id="301",
            start=start,
            end=start.replace(minute=30),
            patient=Patient(
                last_name="Иванова",
                first_name="Мария",
                middle_name="Сергеевна",
                phone="+79990000001",
            ),
        )
    )
    assert appointment.external_id == "5001" and appointment.start == start
    assert appointment.end == start.replace(minute=30) and appointment.status == "booked"
    mis.cancel(appointment_id="5001", idempotency_key="contract-cancel")

    expected = json.loads((SAMPLES / "requests.json").read_text())
    sent = [{k: r[k] for k in ("method", "path", "query", "body")} for r in recorded]
    assert sent == expected
    assert all(r["authorization"].startswith("Bearer ey") for r in recorded)


def test_the_groups_of_services_sample_parses(replay):
    url, _recorded = replay
    assert _adapter(url).service_groups() == [("4", "Терапия")]
