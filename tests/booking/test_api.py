"""/api/v1/: the one booking API of every channel, errors as JSON with stable codes."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

import pytest

from booking.models import Appointment
from catalog.models import Doctor, Specialty
from integrations.sms.models import SmsDelivery

PATIENT = {"last_name": "Тестов", "first_name": "Пётр", "phone": "+79990000004"}


@pytest.fixture
def api(client):
    class Api:
        def get(self, url, **params):
            return client.get(url, params)

        def post(self, url, data):
            return client.post(url, data, content_type="application/json")

    return Api()


def texted_code(phone) -> str:
    sms = SmsDelivery.objects.filter(purpose="booking_code", phone=phone).latest("pk")
    return re.search(r"\b(\d{6})\b", sms.text).group(1)


def confirm(api, held, patient=PATIENT, code=None):
    url = f"/api/v1/appointments/{held['id']}/"
    if code is None:
        sent = api.post(url + "phone-code/", {"token": held["token"], "phone": patient["phone"]})
        assert sent.status_code == 202, sent.content
        code = texted_code(patient["phone"])
    return api.post(
        url + "confirm/",
        {"token": held["token"], "patient": patient, "code": code, "consent": True},
    )


def hold(api, doctor, service, start, **extra):
    return api.post(
        "/api/v1/holds/",
        {"doctor": doctor.pk, "service": service.pk, "start": start.isoformat(), **extra},
    )


def test_openapi_schema_is_served(api):
    response = api.get("/api/v1/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    assert text.startswith("openapi: 3")
    for path in ("/api/v1/slots/", "/api/v1/holds/", "/api/v1/appointments/{public_id}/confirm/"):
        assert path in text
    assert "/admin/api" not in text


def test_directory_endpoints(api, clinic):
    specialties = api.get("/api/v1/specialties/").json()
    assert len(specialties) == Specialty.objects.count()
    therapy = next(s for s in specialties if s["name"] == "Терапия")
    doctors = api.get("/api/v1/doctors/", specialty=therapy["id"]).json()
    assert doctors and all(therapy["id"] in d["specialties"] for d in doctors)
    services = api.get("/api/v1/services/", doctor=doctors[0]["id"]).json()
    assert any(s["code"].startswith("B01.047") for s in services)


def test_slots_of_a_doctor_in_branch_local_time(api, doctor, service):
    slots = api.get("/api/v1/slots/", doctor=doctor.pk, service=service.pk).json()
    assert slots
    for slot in slots[:20]:
        assert slot["doctor"] == doctor.pk and slot["service"] == service.pk
        local = timezone.datetime.fromisoformat(slot["local_start"])
        start = timezone.datetime.fromisoformat(slot["start"].replace("Z", "+00:00"))
        assert local == start
        assert local.utcoffset() == start.astimezone(ZoneInfo(slot["time_zone"])).utcoffset()
    starts = [s["start"] for s in slots]
    assert starts == sorted(starts)


def test_yekaterinburg_slots_show_yekaterinburg_clock(api, clinic):
    """MIS in UTC+3, branch in UTC+5: slots start in the branch's working hours, +05:00."""
    doctor = Doctor.objects.filter(branches__external_id="br-ekb").first()
    slots = api.get(
        "/api/v1/slots/", doctor=doctor.pk, branch=doctor.branches.get(external_id="br-ekb").pk
    ).json()
    assert slots
    for slot in slots:
        assert slot["local_start"].endswith("+05:00")
        hour = int(slot["local_start"][11:13])
        assert 8 <= hour < 20


def test_nearest_free_across_a_specialty(api, clinic):
    therapy = Specialty.objects.get(name="Терапия")
    slots = api.get("/api/v1/slots/", specialty=therapy.pk, limit=30).json()
    doctors = set(therapy.doctors.values_list("pk", flat=True))
    assert {s["doctor"] for s in slots} <= doctors
    assert len({s["doctor"] for s in slots}) > 1
    assert [s["start"] for s in slots] == sorted(s["start"] for s in slots)


def test_bad_queries_get_clear_json_errors(api, clinic):
    response = api.get("/api/v1/slots/")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    response = api.get("/api/v1/slots/", doctor="abc")
    assert response.json()["error"]["fields"]["doctor"]
    response = api.post("/api/v1/holds/", {"doctor": 999999, "service": 1, "start": "soon"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) >= {"doctor", "start"}
    response = api.get("/api/v1/appointments/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_hold_confirm_cancel_through_the_api(api, doctor, service, free):
    response = hold(api, doctor, service, free[0].start, idempotency_key="api-1")
    assert response.status_code == 201
    held = response.json()
    assert held["status"] == "held" and held["token"]
    again = hold(api, doctor, service, free[0].start, idempotency_key="api-1")
    assert again.status_code == 201 and again.json()["id"] == held["id"]

    taken = hold(api, doctor, service, free[0].start)
    assert taken.status_code == 409
    error = taken.json()["error"]
    assert error["code"] == "slot_taken" and len(error["alternatives"]) == 3

    url = f"/api/v1/appointments/{held['id']}/"
    wrong = api.post(url + "confirm/", {"token": "nope", "patient": PATIENT})
    assert wrong.status_code == 404
    confirmed = confirm(api, held)
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "confirmed"
    assert api.get(url, token=held["token"]).json()["status"] == "confirmed"
    assert api.get(url).status_code == 404  # no token, no peeking

    cancelled = api.post(url + "cancel/", {"token": held["token"]})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


def test_confirm_while_the_mis_is_down_is_accepted_and_waits(api, doctor, service, free, settings):
    held = hold(api, doctor, service, free[0].start).json()
    settings.MIS_DEMO_OUTAGE = True
    response = confirm(api, held)
    assert response.status_code == 202
    assert response.json()["status"] == "awaiting"


def test_expired_hold_answers_410_with_alternatives(api, doctor, service, free):
    held = hold(api, doctor, service, free[0].start).json()
    Appointment.objects.filter(public_id=held["id"]).update(
        hold_expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = api.post(
        f"/api/v1/appointments/{held['id']}/confirm/",
        {"token": held["token"], "patient": PATIENT, "consent": True},
    )
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "hold_expired"
    assert response.json()["error"]["alternatives"]


def test_invalid_phone_is_refused_and_nothing_changes(api, doctor, service, free):
    held = hold(api, doctor, service, free[0].start).json()
    response = api.post(
        f"/api/v1/appointments/{held['id']}/confirm/",
        {"token": held["token"], "patient": {**PATIENT, "phone": "8-900"}},
    )
    assert response.status_code == 400
    assert "phone" in response.json()["error"]["fields"]["patient"]
    assert Appointment.objects.get(public_id=held["id"]).status == "held"


def test_holds_are_throttled_per_client(api, doctor, service, free, settings):
    settings.BOOKING_HOLDS_PER_IP = "3/min"
    answers = [hold(api, doctor, service, free[n * 8].start) for n in range(4)]
    assert [a.status_code for a in answers] == [201, 201, 201, 429]
    assert answers[-1].json()["error"]["code"] == "too_many_requests"


def test_a_guest_must_confirm_the_phone_by_sms(api, doctor, service, free):
    held = hold(api, doctor, service, free[0].start).json()
    url = f"/api/v1/appointments/{held['id']}/confirm/"
    no_code = api.post(url, {"token": held["token"], "patient": PATIENT, "consent": True})
    assert no_code.status_code == 400
    assert no_code.json()["error"]["code"] == "phone_code_invalid"
    sent = api.post(
        f"/api/v1/appointments/{held['id']}/phone-code/",
        {"token": held["token"], "phone": PATIENT["phone"]},
    )
    assert sent.status_code == 202
    code = texted_code(PATIENT["phone"])
    wrong = confirm(api, held, code=f"{(int(code) + 1) % 10**6:06d}")
    assert wrong.json()["error"]["code"] == "phone_code_invalid"
    other_phone = confirm(api, held, patient={**PATIENT, "phone": "+79990000099"}, code=code)
    assert other_phone.status_code == 400
    assert Appointment.objects.get(public_id=held["id"]).status == "held"
    right = confirm(api, held, code=code)
    assert right.status_code == 200 and right.json()["status"] == "confirmed"


def test_codes_are_limited(api, doctor, service, free):
    held = hold(api, doctor, service, free[0].start).json()
    url = f"/api/v1/appointments/{held['id']}/phone-code/"
    body = {"token": held["token"], "phone": PATIENT["phone"]}
    assert api.post(url, body).status_code == 202
    again = api.post(url, body)
    assert again.status_code == 429 and again.json()["error"]["code"] == "phone_code_limit"
    code = texted_code(PATIENT["phone"])
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        confirm(api, held, code=wrong)
    blocked = confirm(api, held, code=code)  # even the right code: ask for a new one
    assert blocked.status_code == 429


def test_a_clinic_may_turn_the_phone_code_off(api, doctor, service, free, settings):
    settings.BOOKING_GUEST_PHONE_CODE = False
    held = hold(api, doctor, service, free[0].start).json()
    response = api.post(
        f"/api/v1/appointments/{held['id']}/confirm/",
        {"token": held["token"], "patient": PATIENT, "consent": True},
    )
    assert response.status_code == 200


def test_phone_codes_and_waitlist_are_throttled_in_buckets_of_their_own(
    api, doctor, service, free, settings
):
    settings.BOOKING_HOLDS_PER_IP = "2/min"
    held = [hold(api, doctor, service, free[n * 8].start).json() for n in range(2)]
    assert hold(api, doctor, service, free[20].start).status_code == 429
    # The hold allowance is spent; codes count apart (and were not limited before).
    codes = [
        api.post(
            f"/api/v1/appointments/{h['id']}/phone-code/",
            {"token": h["token"], "phone": f"+7999000001{n}"},
        )
        for n, h in enumerate([*held, held[0]])
    ]
    assert [c.status_code for c in codes] == [202, 202, 429]
    assert codes[-1].json()["error"]["code"] == "too_many_requests"
    assert 0 < codes[-1].json()["error"]["retry_after"] <= 60
    names = {"last_name": PATIENT["last_name"], "first_name": PATIENT["first_name"]}
    joins = [
        api.post(
            "/api/v1/waitlist/",
            {"doctor": doctor.pk, "phone": f"+7999000002{n}", "consent": True, **names},
        ).status_code
        for n in range(3)
    ]
    assert joins == [201, 201, 429]
