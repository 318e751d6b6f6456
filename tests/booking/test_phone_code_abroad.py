"""A guest's booking code goes only to a number of the clinic's countries
(integrations/sms/pumping.py): the API refuses another with a clear error."""

from django.test import Client

import pytest

from integrations.sms.models import SmsDelivery

pytestmark = pytest.mark.django_db


def test_a_guests_booking_code_abroad_is_refused_with_a_clear_error(doctor, service, free):
    held = Client().post(
        "/api/v1/holds/",
        {"doctor": doctor.pk, "service": service.pk, "start": free[0].start.isoformat()},
        content_type="application/json",
    )
    assert held.status_code == 201, held.content
    body = held.json()
    answer = Client().post(
        f"/api/v1/appointments/{body['id']}/phone-code/",
        {"token": body["token"], "phone": "+88212345678"},
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "phone_code_refused"
    assert not SmsDelivery.objects.exists()
