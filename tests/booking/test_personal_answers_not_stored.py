"""Pages and API answers with personal data say `Cache-Control: no-store`:
the cabinet's pages, the SMS manage link and the appointment JSON. Public
pages for guests stay cacheable."""

import pytest

from booking import services
from booking.links import manage_path
from tests.cabinet.conftest import consent_documents, make_patient, open_cabinet  # noqa: F401
from tests.consent import CONSENT

PHONE = "+79990000001"


@pytest.fixture
def booked(client, clinic, doctor, service, free, consent_documents):  # noqa: F811
    user = make_patient(phone=PHONE, username=PHONE, mis_id="pt-demo-0001")
    open_cabinet(client, user)
    held = services.hold_slot(doctor=doctor, service=service, start=free[0].start, patient=user)
    details = services.PatientDetails(
        last_name="Демонстрационная", first_name="Пациентка", phone=PHONE
    )
    return services.confirm(appointment=held, patient=details, consent=CONSENT, user=user)


def no_store(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


def test_every_page_with_personal_data_says_no_store(client, booked):
    pages = [
        "/cabinet/",
        "/cabinet/appointments/",
        f"/cabinet/appointments/{booked.public_id}/",
        "/cabinet/notifications/",
        "/cabinet/notifications/settings/",
        "/cabinet/children/",
        "/cabinet/consent/",
        manage_path(booked),
        f"/api/v1/appointments/{booked.public_id}/?token={booked.token}",
    ]
    answers = {url: client.get(url) for url in pages}
    assert {url: a.status_code for url, a in answers.items()} == dict.fromkeys(pages, 200)
    assert [url for url, a in answers.items() if not no_store(a)] == []


def test_a_guest_on_a_public_page_is_not_told_no_store(client, doctor):
    answer = client.get("/api/v1/slots/", {"doctor": doctor.pk})
    assert answer.status_code == 200
    assert not no_store(answer)
