"""Booking as each person who uses it: a logged-in patient (CSRF from the page),
a parent booking for a child, a guest whose verified phone has an account,
the consent stored with the booking, the confirmation's facts, the calendar
file, cancel with its question and SMS, a move with one SMS, Russian errors."""

import json
import re
import sqlite3

from django.test import Client

import pytest

from booking.consent import current_consent
from booking.links import manage_path
from booking.models import Appointment
from cabinet.accounts.models import Patient
from integrations.sms.models import SmsDelivery
from tests.booking.test_manage_link import deliver_all
from tests.cabinet.conftest import consent_documents, make_patient, open_cabinet  # noqa: F401
from tests.factories import ChildFactory, ProxyAccessFactory

PHONE = "+79990000001"


@pytest.fixture
def parent(clinic, request):
    """The demo's mother (linked, consents signed) with her daughter under a proxy."""
    request.getfixturevalue("consent_documents")
    user = make_patient(phone=PHONE, username=PHONE, mis_id="pt-demo-0001")
    ProxyAccessFactory(
        parent=user,
        child=ChildFactory(
            mis_id="pt-demo-0002", last_name="Демонстрационная", first_name="Алиса", age=7
        ),
    )
    return user


@pytest.fixture
def logged_in(parent):
    client = Client(enforce_csrf_checks=True)
    open_cabinet(client, parent)
    return client


def page_csrf(client, doctor) -> str:
    """The token the booking component of the doctor's embed page carries."""
    page = client.get(f"/book/embed/?doctor={doctor.pk}").content.decode()
    return re.search(r'data-csrf="([^"]+)"', page).group(1)


def post(client, path, body, csrf=""):
    headers = {"HTTP_X_CSRFTOKEN": csrf} if csrf else {}
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


def hold(client, slot, csrf=""):
    body = {"doctor": slot.doctor.pk, "service": slot.service.pk, "start": slot.start.isoformat()}
    return post(client, "/api/v1/holds/", body, csrf)


def mis_patient_of(settings, appointment) -> dict:
    """The patient the demo MIS stored with this booking (its appointment book)."""
    with sqlite3.connect(settings.MIS_DEMO_STORE) as db:
        row = db.execute(
            "SELECT patient FROM appointment WHERE id = ?", (appointment.mis_appointment_id,)
        ).fetchone()
    return json.loads(row[0])


def test_a_logged_in_patient_books_with_the_token_from_the_page(logged_in, parent, free):
    refused = hold(logged_in, free[0])  # no token: CSRF protection stays on
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "csrf_failed"
    assert "Обновите страницу" in refused.json()["error"]["message"]
    assert "csrftoken" not in logged_in.cookies or logged_in.cookies["csrftoken"]["httponly"]

    csrf = page_csrf(logged_in, free[0].doctor)
    held = hold(logged_in, free[0], csrf)
    assert held.status_code == 201
    me = Patient.objects.get(account=parent)
    body = {"token": held.json()["token"], "for_person": str(me.pk)}
    booked = post(logged_in, f"/api/v1/appointments/{held.json()['id']}/confirm/", body, csrf)
    assert booked.status_code in (200, 202), booked.content
    appointment = Appointment.objects.get(public_id=held.json()["id"])
    assert appointment.patient == parent
    assert (appointment.patient_mis_id, appointment.patient_phone) == ("pt-demo-0001", PHONE)
    # She signed the consent in the cabinet: the booking records that version.
    assert appointment.consent_via == "cabinet"
    assert appointment.consent_version == current_consent().version
    assert booked.json()["person_name"] == "Демонстрационная Пациентка"


def test_a_parent_books_for_her_child(logged_in, parent, free, settings):
    csrf = page_csrf(logged_in, free[0].doctor)
    page = logged_in.get(f"/book/embed/?doctor={free[0].doctor.pk}").content.decode()
    assert "Для кого запись" in page and "Демонстрационная Алиса" in page
    child = Patient.objects.get(mis_id="pt-demo-0002")
    held = hold(logged_in, free[0], csrf).json()
    booked = post(
        logged_in,
        f"/api/v1/appointments/{held['id']}/confirm/",
        {"token": held["token"], "for_person": str(child.pk)},
        csrf,
    )
    assert booked.status_code == 200, booked.content
    appointment = Appointment.objects.get(public_id=held["id"])
    assert (appointment.patient_first_name, appointment.patient_mis_id) == ("Алиса", "pt-demo-0002")
    assert appointment.patient_phone == PHONE  # the parent gets the SMS
    assert appointment.patient == parent
    # The MIS got the child, by her MIS id.
    stored = mis_patient_of(settings, appointment)
    assert (stored["first_name"], stored["external_id"]) == ("Алиса", "pt-demo-0002")

    # The cabinet lists it under the child, not under the parent.
    mine = logged_in.get("/cabinet/appointments/").content.decode()
    assert str(appointment.public_id) not in mine
    switched = logged_in.post("/cabinet/switch/", {"patient": child.pk}, HTTP_X_CSRFTOKEN=csrf)
    assert switched.status_code == 302, switched.content[:300]
    theirs = logged_in.get("/cabinet/appointments/").content.decode()
    assert str(appointment.public_id) in theirs and "Вы действуете за ребёнка" in theirs


def test_nobody_books_for_someone_elses_child(logged_in, free, clinic):
    csrf = page_csrf(logged_in, free[0].doctor)
    stranger = ChildFactory(mis_id="pt-demo-0003", last_name="Чужой", first_name="Сын")
    held = hold(logged_in, free[0], csrf).json()
    answer = post(
        logged_in,
        f"/api/v1/appointments/{held['id']}/confirm/",
        {"token": held["token"], "for_person": str(stranger.pk)},
        csrf,
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["fields"]["for_person"] == ["Выберите, для кого запись."]
    assert Appointment.objects.get(public_id=held["id"]).status == "held"


def test_a_guest_booking_with_an_accounts_verified_phone_shows_in_its_cabinet(parent, client, free):
    held = hold(client, free[0]).json()
    url = f"/api/v1/appointments/{held['id']}/"
    post(client, url + "phone-code/", {"token": held["token"], "phone": PHONE})
    code = re.search(r"\b(\d{6})\b", SmsDelivery.objects.filter(purpose="booking_code").last().text)
    patient = {"last_name": "Демонстрационная", "first_name": "Пациентка", "phone": PHONE}
    booked = post(
        client,
        url + "confirm/",
        {"token": held["token"], "patient": patient, "code": code.group(1), "consent": True},
    )
    assert booked.status_code == 200, booked.content
    appointment = Appointment.objects.get(public_id=held["id"])
    assert appointment.patient == parent
    assert appointment.patient_mis_id == "pt-demo-0001"  # her own record, by name
    assert (appointment.consent_via, appointment.consent_ip) == ("form", "127.0.0.1")
    cabinet = Client()
    open_cabinet(cabinet, parent)
    assert str(appointment.public_id) in cabinet.get("/cabinet/appointments/").content.decode()


def test_a_booking_without_consent_is_refused(client, free, settings):
    settings.BOOKING_GUEST_PHONE_CODE = False
    held = hold(client, free[0]).json()
    patient = {"last_name": "Тестова", "first_name": "Анна", "phone": "+79990000061"}
    answer = post(
        client,
        f"/api/v1/appointments/{held['id']}/confirm/",
        {"token": held["token"], "patient": patient},
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "consent_required"
    assert "согласие" in answer.json()["error"]["message"]
    assert Appointment.objects.get(public_id=held["id"]).status == "held"
    joined = post(client, "/api/v1/waitlist/", {"doctor": free[0].doctor.pk, **patient})
    assert joined.json()["error"]["code"] == "consent_required"
    ok = post(
        client, "/api/v1/waitlist/", {"doctor": free[0].doctor.pk, "consent": True, **patient}
    )
    assert ok.status_code == 201


def guest_booking(client, slot, settings, phone="+79990000062") -> Appointment:
    settings.BOOKING_GUEST_PHONE_CODE = False
    held = hold(client, slot).json()
    patient = {"last_name": "Тестова", "first_name": "Анна", "phone": phone}
    answer = post(
        client,
        f"/api/v1/appointments/{held['id']}/confirm/",
        {"token": held["token"], "patient": patient, "consent": True},
    )
    assert answer.status_code == 200, answer.content
    return Appointment.objects.get(public_id=held["id"])


def test_the_confirmation_tells_where_when_how_much_and_gives_a_calendar_file(
    client, free, settings
):
    appointment = guest_booking(client, free[0], settings)
    detail = client.get(f"/api/v1/appointments/{appointment.public_id}/?token={appointment.token}")
    data = detail.json()
    assert data["branch"]["address"] == appointment.branch.address
    assert data["map_url"].startswith("https://yandex.ru/maps/?text=")
    assert data["price"] == f"{appointment.service.price:.2f}"
    assert data["local_start"].startswith(
        appointment.start.astimezone(
            __import__("zoneinfo").ZoneInfo(appointment.branch.time_zone)
        ).isoformat()[:16]
    )
    assert data["manage_url"] == manage_path(appointment)
    ics = client.get(data["calendar_url"])
    assert ics["Content-Type"].startswith("text/calendar")
    text = ics.content.decode().replace("\r\n ", "")  # unfolded (RFC 5545 folds long lines)
    assert "BEGIN:VEVENT" in text and appointment.doctor.full_name in text
    assert f"DTSTART:{appointment.start:%Y%m%dT%H%M%S}Z" in text
    assert f"UID:{appointment.public_id}@" in text
    assert (
        client.get(data["calendar_url"].replace("/book/manage/", "/book/manage/x")).status_code
        == 404
    )


def test_cancel_asks_once_then_cancels_and_texts(client, free, settings):
    appointment = guest_booking(client, free[0], settings)
    deliver_all()
    page = client.get(manage_path(appointment)).content.decode()
    assert 'href="?cancel=1"' in page and 'value="cancel"' not in page  # no one-tap cancel
    question = client.get(manage_path(appointment) + "?cancel=1").content.decode()
    assert "Отменить запись?" in question and "Мы пришлём SMS об отмене" in question
    assert 'value="cancel"' in question and "Нет, оставить" in question
    done = client.post(manage_path(appointment), {"action": "cancel"}, follow=True)
    assert "Запись отменена" in done.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
    texts = SmsDelivery.objects.filter(purpose="booking_cancelled", phone=appointment.patient_phone)
    assert texts.count() == 1 and appointment.doctor.full_name in texts.get().text
    client.post(manage_path(appointment), {"action": "cancel"})  # again: nothing more
    assert texts.count() == 1


def test_a_move_is_offered_on_a_day_grid_and_texts_once(client, free, settings):
    appointment = guest_booking(client, free[0], settings)
    deliver_all()
    page = client.get(manage_path(appointment)).content.decode()
    assert page.count('class="slot-day"') >= 2  # the times grouped by day
    assert 'type="radio"' not in page
    new_start = free[12].start
    moved = client.post(
        manage_path(appointment), {"action": "reschedule", "start": new_start.isoformat()}
    )
    assert moved.status_code == 302
    deliver_all()
    new = Appointment.objects.get(replaces=appointment)
    appointment.refresh_from_db()
    assert (new.status, appointment.status) == ("confirmed", "cancelled")
    assert new.consent_sha256 == appointment.consent_sha256  # the same agreement
    sent = SmsDelivery.objects.filter(phone=appointment.patient_phone).values_list(
        "purpose", flat=True
    )
    assert sorted(sent) == ["booking_confirmed", "booking_moved"]


def test_api_errors_are_russian(client, db):
    bad = client.post("/api/v1/holds/", "{bad", content_type="application/json").json()
    assert bad["error"]["message"].startswith("Не удалось прочитать запрос")
    invalid = post(client, "/api/v1/waitlist/", {"doctor": 1, "phone": "8-900"}).json()
    assert invalid["error"]["message"] == "Исправьте отмеченные поля."
    assert invalid["error"]["fields"]["phone"] == [
        "Введите мобильный номер в виде +7 900 000-00-00."
    ]
    assert invalid["error"]["fields"]["last_name"] == ["Требуется заполнить это поле."]


def test_every_page_that_books_carries_the_token_only_for_a_logged_in_patient(demo_clinic):
    from cabinet.accounts.models import User
    from clinic_pages.models import CheckupPage, DoctorPage, LabTestPage

    pages = [
        DoctorPage.objects.live().first().url,
        LabTestPage.objects.live().first().url,
        CheckupPage.objects.live().first().url,
        f"/book/embed/?doctor={DoctorPage.objects.live().first().doctor_id}",
    ]
    guest = Client()
    patient = Client()
    open_cabinet(patient, User.objects.get(username="patient"))
    for url in pages:
        anonymous = guest.get(url).content.decode()
        assert "data-booking" in anonymous, url
        assert "data-csrf" not in anonymous, url  # a guest's page stays cacheable
        mine = patient.get(url).content.decode()
        assert re.search(r'data-csrf="[\w-]{32,}"', mine), url
        assert "Для кого запись" in mine, url
