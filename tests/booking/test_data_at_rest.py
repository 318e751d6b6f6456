"""Appointments, waitlist entries and SMS keep patients' details encrypted;
matching by phone works through the keyed hash."""

from datetime import date

import pytest

from booking import services, waitlist
from booking.models import Appointment, WaitlistEntry
from booking.services import PatientDetails
from integrations.sms.models import SmsDelivery
from integrations.sms.services import send_sms
from tests.consent import CONSENT
from tests.raw_rows import assert_stored_encrypted, raw_value

PERSON = PatientDetails(
    last_name="Скрытная",
    first_name="Варвара",
    middle_name="Петровна",
    phone="+79990000031",
    birth_date=date(1979, 11, 23),
)


def test_an_appointments_patient_is_stored_encrypted_and_found_by_phone(doctor, service, free):
    booked = services.confirm(
        consent=CONSENT,
        appointment=services.hold_slot(doctor=doctor, service=service, start=free[0].start),
        patient=PERSON,
        write_now=True,
    )
    assert_stored_encrypted(
        booked,
        patient_last_name=PERSON.last_name,
        patient_first_name=PERSON.first_name,
        patient_middle_name=PERSON.middle_name,
        patient_phone=PERSON.phone,
        patient_birth_date=PERSON.birth_date,
    )
    from clinic_site.blind_index import blind_index

    assert raw_value(Appointment, booked.pk, "patient_phone_index") == blind_index(
        PERSON.phone, "phone"
    )
    # The booking limits find a phone's appointments through the hash.
    assert list(Appointment.objects.filter(patient_phone=PERSON.phone)) == [booked]
    assert not Appointment.objects.filter(patient_phone="+79990000032").exists()
    # The confirmation SMS: its text and number are tokens, found per number.
    sms = SmsDelivery.objects.filter(phone=PERSON.phone).last()
    assert sms is not None
    assert_stored_encrypted(sms, phone=PERSON.phone, text=sms.text)


def test_waitlist_entries_are_encrypted_and_the_per_phone_limit_still_counts(doctor):
    def join(last_name: str) -> WaitlistEntry:
        return waitlist.join(
            consent=CONSENT, doctor=doctor, phone=PERSON.phone, last_name=last_name, first_name="Ия"
        )

    first = join("Ожидающая")
    assert_stored_encrypted(first, phone=PERSON.phone, last_name="Ожидающая", first_name="Ия")
    join("Вторая")
    join("Третья")
    # Three tokens of one number differ, yet the hash tells it is one phone.
    assert len({raw_value(WaitlistEntry, e.pk, "phone") for e in WaitlistEntry.objects.all()}) == 3
    with pytest.raises(services.LimitReached):
        join("Четвёртая")
    other = waitlist.join(
        consent=CONSENT, doctor=doctor, phone="+79990000033", last_name="Иная", first_name="Ия"
    )
    assert other.status == WaitlistEntry.Status.WAITING


@pytest.mark.django_db
def test_sms_are_stored_encrypted_and_found_per_number():
    text = "Результаты анализа на ВИЧ готовы"
    sent = send_sms(to="+79990000034", text=text, purpose="lab_results")
    send_sms(to="+79990000035", text="Другой номер", purpose="lab_results")
    assert_stored_encrypted(sent, phone="+79990000034", text=text)
    assert [s.pk for s in SmsDelivery.objects.filter(phone="+79990000034")] == [sent.pk]
    # Spelled with spaces and dashes it is still the same number.
    assert SmsDelivery.objects.filter(phone="+7 999 000-00-34").get() == sent
