"""Архимед specifics: the self-signed HS256 JWT (expired, wrong secret), paged
lists followed to the last page, the simulator's strict mode, and a lost answer
to POST talons that still makes exactly one talon."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from integrations.mis import get_mis_adapter
from integrations.mis.archimed import ArchimedMis
from integrations.ports import BookingRequest, MisError, MisUnavailable, Patient
from integrations.simulators.archimed import ROOT, serve


@pytest.fixture(scope="module")
def running():
    simulator = serve()
    yield simulator
    simulator.close()


@pytest.fixture
def simulator(running):
    running.reset()
    return running


def adapter(simulator, **options) -> ArchimedMis:
    login = {"api_id": simulator.knobs.api_id, "api_secret": simulator.knobs.api_secret}
    return ArchimedMis(url=simulator.url + ROOT, timeout=5.0, **{**login, **options})


def tomorrow_request(mis: ArchimedMis, key: str) -> BookingRequest:
    day = datetime.now(ZoneInfo(mis.time_zone)).date() + timedelta(days=1)
    slot = mis.free_slots(doctor_id="1", start=day, end=day)[0]
    return BookingRequest(
        idempotency_key=key,
        doctor_id="1",
        branch_id=slot.branch_id,
        service_id="",
        start=slot.start,
        end=slot.end,
        patient=Patient(last_name="Тестов", first_name="Пётр", phone="+79990000002"),
    )


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_the_token_is_hs256_signed_with_the_secret_iss_and_exp_in_an_hour(simulator):
    mis = adapter(simulator, user_id="12")
    head, payload, signature = mis.token().split(".")
    assert json.loads(_b64(head)) == {"alg": "HS256", "typ": "JWT"}
    claims = json.loads(_b64(payload))
    assert claims["iss"] == "archimed-site" and claims["user_id"] == 12
    assert abs(claims["exp"] - (time.time() + 3600)) < 5
    expected = hmac.new(b"archimed-secret", f"{head}.{payload}".encode(), hashlib.sha256).digest()
    assert _b64(signature) == expected


def test_an_expired_token_is_a_clear_mis_error_not_an_outage(simulator):
    mis = adapter(simulator)
    simulator.set_knobs(clock_skew=2 * 3600)  # the server's clock is past our exp
    with pytest.raises(MisError, match="expired") as raised:
        mis.ping()
    assert not isinstance(raised.value, MisUnavailable)
    assert "JWT was refused" in str(raised.value)
    simulator.set_knobs(clock_skew=0)
    stale = adapter(simulator, token_ttl=-60)
    with pytest.raises(MisError, match="expired"):
        stale.doctors()


def test_a_wrong_secret_or_api_id_is_refused(simulator):
    for wrong in ({"api_secret": "not-the-secret"}, {"api_id": "someone-else"}):
        with pytest.raises(MisError, match="401") as raised:
            adapter(simulator, **wrong).branches()
        assert not isinstance(raised.value, MisUnavailable)
    answer = httpx.get(f"{simulator.url}{ROOT}/branchs", timeout=5)
    assert answer.status_code == 401


def test_paging_follows_every_page(simulator):
    everyone = adapter(simulator).doctors()  # limit 200: one page
    paged = adapter(simulator, page_limit=10).doctors()  # 47 doctors: five pages
    assert len(everyone) == len(simulator.mis.doctors()) > 40
    assert paged == everyone
    token = adapter(simulator).token()
    page = httpx.get(
        f"{simulator.url}{ROOT}/doctors",
        params={"page": 5, "limit": 10},
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    ).json()
    assert (page["total"], page["page"], page["limit"], len(page["data"])) == (47, 5, 10, 7)
    assert isinstance(page["data"][0]["id"], int)


def test_strict_mode_refuses_what_the_public_contract_has_not(simulator):
    headers = {"Authorization": f"Bearer {adapter(simulator).token()}"}
    base = f"{simulator.url}{ROOT}"
    assert httpx.get(f"{base}/branches", headers=headers, timeout=5).status_code == 404  # sic
    unknown = httpx.get(f"{base}/doctors", params={"speciality": 1}, headers=headers, timeout=5)
    assert unknown.status_code == 400
    iso = httpx.get(f"{base}/slot/1/2031-02-03/2031-02-04", headers=headers, timeout=5)
    assert iso.status_code == 400 and "dd.MM.yyyy" in iso.json()["message"]


def test_a_lost_answer_to_post_talons_gives_exactly_one_talon(simulator):
    mis = adapter(simulator)
    request = tomorrow_request(mis, "lost-1")
    simulator.set_knobs(lose_talon_answers=1)
    appointment = mis.book(request)  # the 504 is followed by GET talons, not a second POST
    assert simulator.knobs.lose_talon_answers == 0
    assert (appointment.start, appointment.end) == (request.start, request.end)
    again = mis.book(request)  # an outbox retry finds it too
    assert again == appointment
    assert len(simulator.talons) == 1
    assert str(next(iter(simulator.talons))) == appointment.external_id


def test_cancel_sends_a_deletion_reason_and_twice_is_not_an_error(simulator):
    mis = adapter(simulator, delete_reason="Отмена пациентом")
    appointment = mis.book(tomorrow_request(mis, "cancel-1"))
    mis.cancel(appointment_id=appointment.external_id, idempotency_key="c-1")
    mis.cancel(appointment_id=appointment.external_id, idempotency_key="c-1")
    assert simulator.talons[int(appointment.external_id)]["status_id"] == 3
    with pytest.raises(MisError, match="no talon deletion reason"):
        adapter(simulator, delete_reason="nonsense").cancel(
            appointment_id=appointment.external_id, idempotency_key="c-2"
        )


def test_without_a_public_patient_search_nobody_is_found(simulator):
    assert adapter(simulator).find_patients(phone="+79990000002") == []


def test_specialties_are_the_doctors_types_and_schedule_the_free_slots(simulator):
    mis = adapter(simulator)
    kinds = {s.external_id for s in mis.specialties()}
    assert kinds and all(set(d.specialty_ids) <= kinds for d in mis.doctors())
    day = date.today() + timedelta(days=1)
    work = mis.schedule(start=day, end=day).work
    assert work and all(w.start.tzinfo is not None and w.end > w.start for w in work)


def test_the_factory_builds_it_from_settings(simulator, settings):
    settings.MIS_ADAPTER = "archimed"
    settings.ARCHIMED_URL = simulator.url + ROOT
    settings.ARCHIMED_API_ID = simulator.knobs.api_id
    settings.ARCHIMED_API_SECRET = simulator.knobs.api_secret
    assert get_mis_adapter().ping().ok
