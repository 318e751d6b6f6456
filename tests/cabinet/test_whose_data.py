"""Every cabinet page says whose data it shows («Данные пациента: …», or
«Вы действуете за ребёнка: …» with a way back), and the family switch marks
the active person (aria-pressed, a check mark) and names it in a status region."""

import re

from django.urls import reverse

import pytest

from cabinet.accounts.models import Patient, User
from cabinet.proxies.models import ProxyAccess
from cabinet.staff.models import StaffProfile
from catalog.models import Doctor, Specialty
from tests.cabinet.conftest import open_cabinet, verified_login, verified_staff_login
from tests.factories import ChildFactory, ProxyAccessFactory

pytestmark = pytest.mark.django_db

ME = "Демонстрационная Пациентка"
CHILD = "Демонстрационная Алиса"


@pytest.fixture
def parent(patient_user, consent_documents, client, admin_user):
    ProxyAccessFactory(
        parent=patient_user,
        child=ChildFactory(mis_id="pt-demo-0002", last_name="Демонстрационная", first_name="Алиса"),
        verified_by=admin_user,
    )
    open_cabinet(client, patient_user)
    return patient_user


def whose_line(page: str) -> str:
    match = re.search(r'class="whose-data[^"]*"[^>]*>(.*?)</(?:p|div)>', page, re.S)
    assert match, "no «whose data» line"
    return re.sub(r"<[^>]+>|\s+", " ", match.group(1)).strip()


def switch_buttons(page: str) -> dict[str, str]:
    """The switch's buttons: visible name -> aria-pressed."""
    buttons = re.findall(r'<button class="family-switch__button[^>]*>.*?</button>', page, re.S)
    found = {}
    for button in buttons:
        pressed = re.search(r'aria-pressed="(\w+)"', button).group(1)
        name = re.sub(r"<[^>]+>", "", button).replace("✓", "").strip()
        found[name] = pressed
    return found


def status_text(page: str) -> str:
    match = re.search(r'<p class="family-switch__status" role="status"[^>]*>([^<]*)</p>', page)
    assert match, "no status region"
    return match.group(1).strip()


def test_home_shows_the_patients_own_data_and_marks_me_in_the_switch(client, parent):
    page = client.get("/cabinet/").content.decode()
    assert whose_line(page) == f"Данные пациента: {ME}"
    assert switch_buttons(page) == {"Я": "true", "Алиса": "false"}
    assert re.search(r'aria-pressed="true"><span class="family-switch__check"[^>]*>✓', page)
    assert status_text(page) == f"Сейчас показаны данные: {ME}"
    assert page.count('class="whose-data') == 1  # one line, not one more on the home page


def test_acting_for_a_child_every_page_says_so_with_a_way_back(client, parent):
    child = Patient.objects.get(mis_id="pt-demo-0002")
    assert client.post("/cabinet/switch/", {"patient": child.pk}).status_code == 302
    page = client.get("/cabinet/").content.decode()
    assert whose_line(page).startswith(f"Вы действуете за ребёнка: {CHILD}")
    assert switch_buttons(page) == {"Я": "false", "Алиса": "true"}
    assert status_text(page) == f"Сейчас показаны данные: {CHILD}"
    for url in ("/cabinet/results/", "/cabinet/card/", "/cabinet/notifications/"):
        page = client.get(url).content.decode()
        assert whose_line(page).startswith(f"Вы действуете за ребёнка: {CHILD}"), url
        assert "Вернуться к своим данным" in page
    # The way back: the line's own form switches to "me".
    assert client.post("/cabinet/switch/", {"patient": ""}).status_code == 302
    page = client.get("/cabinet/results/").content.decode()
    assert whose_line(page) == f"Данные пациента: {ME}"


def test_no_line_on_the_login_pages_and_no_broken_page_before_the_consent(
    client, patient_user, consent_documents
):
    verified_login(client, patient_user)  # logged in, consents not signed yet
    for url in ("/cabinet/consent/", "/cabinet/notifications/", "/cabinet/login/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'class="whose-data' not in response.content.decode(), url
    open_cabinet(client, patient_user)
    for url in ("/cabinet/login/", "/cabinet/password-reset/"):
        assert 'class="whose-data' not in client.get(url).content.decode(), url
    assert 'class="whose-data' in client.get("/cabinet/notifications/").content.decode()


def test_a_proxy_ended_while_acting_gives_no_line_instead_of_an_error(client, parent):
    child = Patient.objects.get(mis_id="pt-demo-0002")
    client.post("/cabinet/switch/", {"patient": child.pk})
    ProxyAccess.objects.all().delete()
    response = client.get("/cabinet/notifications/")
    assert response.status_code == 200
    assert 'class="whose-data' not in response.content.decode()


def test_staff_without_a_record_get_no_line(client, admin_user):
    verified_staff_login(client, admin_user)
    response = client.get("/cabinet/notifications/")
    assert response.status_code == 200
    assert 'class="whose-data' not in response.content.decode()


def test_a_staff_card_names_the_patient_it_shows(client, demo_patient):
    endocrinology = Specialty.objects.create(external_id="sp-058", name="Эндокринология")
    doctor = Doctor.objects.create(external_id="dr-058-1", last_name="Врачова", first_name="Ирина")
    doctor.specialties.add(endocrinology)  # she saw the demo patient
    head = User.objects.create_user("head", password="x-secret-2026", is_staff=True)
    StaffProfile.objects.create(user=head, role="head", department=endocrinology)
    verified_staff_login(client, head)
    page = client.get(reverse("cabinet:staff:patient-card", args=[demo_patient.pk]))
    assert page.status_code == 200
    assert whose_line(page.content.decode()) == f"Данные пациента: {demo_patient}"
