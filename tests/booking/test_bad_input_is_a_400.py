"""Bad input gets a clear 400 (or the page's own error), never a server error:
the requests an outside test found answered 500."""

import json
from datetime import timedelta

from django.utils import timezone

import pytest

from booking import services
from booking.links import manage_path
from tests.consent import CONSENT


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/doctors/", {"specialty": "abc"}),
        ("/api/v1/doctors/", {"branch": "1; DROP TABLE"}),
        ("/api/v1/doctors/", {"specialty": str(10**30)}),
        ("/api/v1/services/", {"doctor": "x"}),
        ("/api/v1/services/", {"specialty": "-1"}),
    ],
)
def test_a_non_numeric_or_impossible_id_filter_is_a_400(client, clinic, url, params):
    answer = client.get(url, params)
    assert answer.status_code == 400, answer.content
    assert answer.json()["error"]["code"]


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "9999-12-31"},
        {"date_to": "9999-12-31", "date_from": "9999-12-01"},
        {"doctor": "99999999999999999999"},
    ],
)
def test_slots_far_in_the_future_or_huge_ids_are_a_400(client, doctor, params):
    answer = client.get("/api/v1/slots/", {"doctor": doctor.pk, **params})
    assert answer.status_code == 400, answer.content


def test_a_hundred_thousand_deep_json_body_is_a_400(client, clinic):
    body = "[" * 100_000 + "]" * 100_000
    answer = client.post("/api/v1/holds/", body, content_type="application/json")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "malformed_request"


def test_a_hold_centuries_ahead_is_refused(client, doctor, service):
    answer = client.post(
        "/api/v1/holds/",
        json.dumps(
            {
                "doctor": doctor.pk,
                "service": service.pk,
                "start": "9999-12-31T23:00:00+03:00",
            }
        ),
        content_type="application/json",
    )
    assert answer.status_code == 422, answer.content


@pytest.fixture
def booked(doctor, service, free):
    held = services.hold_slot(doctor=doctor, service=service, start=free[0].start)
    details = services.PatientDetails(last_name="Тестова", first_name="Анна", phone="+79990000005")
    return services.confirm(appointment=held, patient=details, consent=CONSENT)


@pytest.mark.parametrize(
    "start",
    [
        "9999-12-31T23:00:00+03:00",  # far beyond any schedule
        "2031-01-01T10:00:00",  # no zone
        "soon, without its zone",
        "tomorrow",
    ],
)
def test_moving_to_an_impossible_time_on_the_sms_link_says_so(client, booked, start):
    if start == "soon, without its zone":
        start = (timezone.now() + timedelta(days=3)).replace(tzinfo=None).isoformat()
    page = manage_path(booked)
    answer = client.post(page, {"action": "reschedule", "start": start})
    assert answer.status_code == 302 and answer["Location"] == page
    booked.refresh_from_db()
    assert booked.status in ("awaiting", "confirmed")  # nothing lost
    assert client.get(page).status_code == 200
