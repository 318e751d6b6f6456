"""A booking's SMS code confirms once: the right code is used up by its first
check, so the same code (seen over a shoulder, or replayed) is refused after."""

import re

import pytest

from booking import phone_codes, services
from integrations.sms.models import SmsDelivery

PHONE = "+79990000051"


def texted_code() -> str:
    sms = SmsDelivery.objects.filter(purpose="booking_code", phone=PHONE).latest("pk")
    return re.search(r"\b(\d{6})\b", sms.text).group(1)


@pytest.mark.django_db
def test_the_right_code_is_accepted_once(doctor, service, free):
    held = services.hold_slot(doctor=doctor, service=service, start=free[0].start)
    phone_codes.send_code(appointment=held, phone=PHONE, client="test")
    code = texted_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    with pytest.raises(phone_codes.PhoneCodeError):
        phone_codes.check_code(appointment=held, phone=PHONE, code=wrong)
    phone_codes.check_code(appointment=held, phone=PHONE, code=code)  # accepted
    with pytest.raises(phone_codes.PhoneCodeError):
        phone_codes.check_code(appointment=held, phone=PHONE, code=code)


@pytest.mark.django_db
def test_a_code_is_for_its_own_appointment_and_phone(doctor, service, free):
    held = services.hold_slot(doctor=doctor, service=service, start=free[0].start)
    other = services.hold_slot(doctor=doctor, service=service, start=free[5].start)
    phone_codes.send_code(appointment=held, phone=PHONE, client="test")
    code = texted_code()
    with pytest.raises(phone_codes.PhoneCodeError):
        phone_codes.check_code(appointment=other, phone=PHONE, code=code)
    with pytest.raises(phone_codes.PhoneCodeError):
        phone_codes.check_code(appointment=held, phone="+79990000052", code=code)
    phone_codes.check_code(appointment=held, phone=PHONE, code=code)
