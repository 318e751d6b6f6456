"""A password alone opens no page of the cabinet: every cabinet URL but the
login, registration and password-reset pages sends a login whose second factor
was not given back to the login, and opens once it is.

Here (under tests/cabinet/) `client.force_login` is Django's own: a session
with the password's login and no second factor.
"""

from datetime import timedelta
from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone

import pytest

from booking.models import Appointment
from catalog.models import Doctor, Service
from tests.cabinet.conftest import open_cabinet
from tests.cabinet.test_access import urls_against

pytestmark = pytest.mark.django_db

# The pages that open before the second factor, written out here (not read
# from the code under test, which would let a page added there pass).
OPEN_BEFORE_THE_SECOND_FACTOR = (
    "/cabinet/login/",
    "/cabinet/logout/",
    "/cabinet/register/",
    "/cabinet/password-reset/",
    "/cabinet/account/two_factor/setup/",
    "/cabinet/account/two_factor/qrcode/",
)


@pytest.fixture
def appointment(demo_patient) -> Appointment:
    doctor = Doctor.objects.create(external_id="d-2fa", last_name="Врачова", first_name="Ирина")
    service = Service.objects.create(
        external_id="s-2fa", code="B01.047.001", name="Приём", duration_minutes=30, price=1
    )
    start = timezone.now() + timedelta(days=2)
    return Appointment.objects.create(
        doctor=doctor,
        service=service,
        start=start,
        end=start + timedelta(minutes=30),
        blocked_until=start + timedelta(minutes=35),
        status=Appointment.Status.CONFIRMED,
        patient=demo_patient.account,
    )


def sent_to_login(response, url: str) -> bool:
    return response.status_code == 302 and response.url == (
        f"{reverse('cabinet:login')}?next={quote(url, safe='')}"
    )


def test_the_appointments_need_the_second_factor(client, demo_patient, appointment):
    urls = ["/cabinet/appointments/", f"/cabinet/appointments/{appointment.public_id}/"]
    client.force_login(demo_patient.account)  # the password only
    for url in urls:
        assert sent_to_login(client.get(url), url), url
    assert sent_to_login(client.post(urls[1], {"action": "cancel"}), urls[1])
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CONFIRMED

    open_cabinet(client, demo_patient.account)  # the second factor given
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert str(appointment.public_id) in response.content.decode(), url


def test_no_cabinet_page_opens_on_a_password_alone(client, demo_patient):
    with_objects, lists = urls_against(demo_patient)
    client.force_login(demo_patient.account)
    walked = 0
    for url in with_objects + lists:
        if url.startswith(OPEN_BEFORE_THE_SECOND_FACTOR):
            continue
        assert sent_to_login(client.get(url), url), url
        walked += 1
    assert walked >= 15
