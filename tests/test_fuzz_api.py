"""Fuzz of the booking API from its own OpenAPI schema (schemathesis): every
operation gets values that fit the schema and values that do not (wrong
types, out of range, missing, extra, unexpected methods) in every path and
query parameter and body field, as a guest, and the operations whose answer
depends on who asks as the logged-in patient too, on the demo clinic. No
answer is a server error, and answers fit the schema.

FUZZ_EXAMPLES sets the random examples per operation and mode (docs/testing.md).
"""

from __future__ import annotations

import secrets

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import max_response_time, not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from tests.fuzz import EXAMPLES, DemoBooking, demo_booking, undone

NASTY_STRINGS = [
    "9999-12-31",
    "0001-01-01",
    "9999-12-31T23:59:59+03:00",
    "2031-01-01T10:00:00",  # no zone
    "99999999999999999999",
    "-1",
    "1e309",
    "a\x00b",
    "\x00",
    "я" * 10_000,
]
NASTY_INTEGERS = [10**20, 2**63, 2**31, -(2**63), -1, 0]
FAR_TIMES = ["9999-12-31T23:00:00+03:00", "0001-01-01T00:00:00Z", "2031-01-01T10:00:00"]
FAR_DATES = {"dictionary": "far-dates", "probability": 0.3}
FAR = {"dictionary": "far-times", "probability": 0.3}
IDS = {"dictionary": "ids", "probability": 0.5}  # the demo clinic's first ids, or none
MAX_SECONDS = 10  # generous: a request takes milliseconds here
CHECKS = [
    not_a_server_error,
    max_response_time,
    response_schema_conformance,
    content_type_conformance,
]
# The schema is the one the app serves, loaded through the app itself (no
# database needed to serve it, so it loads at collection).
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/schema/",
    WSGIHandler(),
    config=schemathesis.Config.from_dict(
        {
            "seed": 2026,
            # A bad value must not take long either (slots asked for up to year 9999 did).
            "checks": {"max_response_time": MAX_SECONDS},
            "generation": {
                "mode": "all",
                "max-examples": EXAMPLES,
                "deterministic": True,
                "database": "none",
                "dictionaries": {
                    "string": {"dictionary": "nasty-strings", "probability": 0.3},
                    "integer": {"dictionary": "nasty-integers", "probability": 0.3},
                },
            },
            # Values that found server errors before (tests/booking/test_bad_input_is_a_400.py).
            "dictionaries": {
                "nasty-strings": {"values": NASTY_STRINGS},
                "nasty-integers": {"values": NASTY_INTEGERS},
                "far-dates": {"values": ["9999-12-31", "9999-12-01", "0001-01-01"]},
                "far-times": {"values": FAR_TIMES},
                "ids": {"values": [1, 2, 3, *NASTY_INTEGERS]},
            },
            "parameters": {
                **{f"query.{name}": IDS for name in ("doctor", "specialty", "service", "branch")},
                **{f"query.{name}": FAR_DATES for name in ("date_from", "date_to")},
                **{f"body.{name}": FAR for name in ("start", "wanted_before")},
            },
        }
    ),
)
# Whose answers differ for a logged-in patient: a hold is theirs, and an
# appointment of theirs opens without its token.
patient_schema = schema.include(path_regex=r"^/api/v1/(holds|appointments)/")
FIXTURES = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


@pytest.fixture
def clinic(demo_clinic, settings) -> DemoBooking:
    return demo_booking(settings=settings)


@pytest.fixture
def in_process(clinic):
    """Calls the app in this thread, inside the test's transaction: Django
    would close a connection it finds in a transaction at a request's start
    and end (its test client holds these signals off too). Each example runs
    undone after it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)

    def call(case, **credentials):
        if "public_id" in case.path_parameters:
            case.path_parameters["public_id"] = str(clinic.held.public_id)
        if case.meta.generation.mode.is_positive and isinstance(case.body, dict):
            # Values that fit the schema get real objects, to reach past the lookups.
            real = {
                "token": clinic.held.token,
                "doctor": clinic.held.doctor_id,
                "service": clinic.held.service_id,
                "start": clinic.free_starts[0].isoformat(),
            }
            case.body.update({k: v for k, v in real.items() if k in case.body})
        with undone():
            response = case.call(**credentials)
        case.validate_response(response, checks=CHECKS)

    yield call
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(suppress_health_check=FIXTURES)
def test_no_input_is_a_server_error_for_a_guest(case, in_process):
    in_process(case)


@pytest.fixture
def logged_in(clinic) -> dict:
    """The demo patient's session (both factors passed, tests/conftest.py)
    and a CSRF token, as a browser sends them."""
    client = Client()
    client.force_login(clinic.held.patient)
    csrf = secrets.token_hex(16)
    return {
        "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf},
        "headers": {"X-CSRFToken": csrf},
    }


@patient_schema.parametrize()
@settings(suppress_health_check=FIXTURES)
def test_no_input_is_a_server_error_for_a_logged_in_patient(case, in_process, logged_in):
    in_process(case, **logged_in)


@pytest.mark.parametrize(
    ("path", "filters"),
    [("/api/v1/doctors/", {"specialty", "branch"}), ("/api/v1/services/", {"specialty", "doctor"})],
)
def test_the_lists_filters_are_in_the_schema_so_they_are_fuzzed(path, filters):
    parameters = schema.raw_schema["paths"][path]["get"].get("parameters", [])
    assert {p["name"] for p in parameters if p["in"] == "query"} == filters
