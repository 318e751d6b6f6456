"""The demo clinic loads once, doctor pages follow the sync and show free slots."""

import io
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wagtail.models import Page, Site

import pytest

from booking.models import ScheduleInterval
from booking.selectors import people, rooms
from catalog.models import Branch, Doctor, Service, Specialty
from clinic_pages.models import DoctorPage, HomePage
from clinic_pages.services import ensure_doctor_pages
from clinic_pages.slugs import transliterated_slug

pytestmark = pytest.mark.django_db


def row_counts() -> dict[str, int]:
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if not m._meta.proxy and m._meta.managed
    }


def test_demo_load_is_idempotent(demo_clinic):
    before = row_counts()
    with CaptureQueriesContext(connection) as queries:
        call_command("load_demo", stdout=io.StringIO())
    changed = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert changed == []
    assert row_counts() == before


def test_demo_clinic_content(demo_clinic):
    assert "editor / demo-editor-2026" in demo_clinic
    assert "patient / demo-patient-2026" in demo_clinic
    assert "medical reviewer (doctor): doctor / demo-doctor-2026  (/admin/)" in demo_clinic
    assert Site.objects.get(is_default_site=True).root_page.specific_class is HomePage
    # Every doctor who is a person has a page; the procedure rooms have none.
    assert DoctorPage.objects.live().count() == people().count() >= 40
    assert people().count() == Doctor.objects.count() - rooms().count()
    assert not Page.objects.filter(title__startswith="Welcome to your new Wagtail").exists()


def test_slugs_are_transliterated():
    assert transliterated_slug("Егорова Вера Олеговна") == "egorova-vera-olegovna"
    assert transliterated_slug("Журавлёв Игорь") == "zhuravlev-igor"


def test_home_page_is_russian_with_call_and_book(client, demo_clinic):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ru">' in html
    assert 'href="tel:+74950000000"' in html
    assert "Записаться" in html and "Позвонить" in html
    assert "vendor/htmx/htmx.min.js" in html


def test_doctor_index_lists_synced_doctors(client, demo_clinic):
    html = client.get("/doctors/").content.decode()
    for doctor in people()[:5]:
        assert doctor.full_name in html


@pytest.fixture
def ekb_doctor(db, demo_clinic):
    """A doctor with a known schedule tomorrow in Yekaterinburg (UTC+5)."""
    branch = Branch.objects.create(
        external_id="br-test",
        name="Тестовый филиал",
        address="г. Екатеринбург",
        phone="+73430000000",
        time_zone="Asia/Yekaterinburg",
    )
    specialty = Specialty.objects.create(external_id="sp-test", name="Терапия")
    service = Service.objects.create(
        external_id="sv-test",
        code="B01.047.001",
        name="Приём терапевта первичный",
        specialty=specialty,
        duration_minutes=30,
        price=2500,
    )
    doctor = Doctor.objects.create(
        external_id="dr-test", last_name="Тестова", first_name="Анна", middle_name="Петровна"
    )
    doctor.specialties.add(specialty)
    doctor.services.add(service)
    doctor.branches.add(branch)
    zone = ZoneInfo("Asia/Yekaterinburg")
    day = timezone.now().astimezone(zone).date() + timedelta(days=1)

    def local(hour, minute=0):
        return datetime.combine(day, time(hour, minute), zone)

    ScheduleInterval.objects.create(
        doctor=doctor, kind="work", branch=branch, start=local(9), end=local(12)
    )
    ScheduleInterval.objects.create(doctor=doctor, kind="busy", start=local(9), end=local(10))
    ScheduleInterval.objects.create(doctor=doctor, kind="break", start=local(11), end=local(11, 30))
    ensure_doctor_pages()
    return doctor


def test_doctor_page_lists_free_slots_in_branch_time(client, ekb_doctor):
    page = DoctorPage.objects.get(doctor=ekb_doctor)
    html = client.get(page.url).content.decode()
    assert "Тестова Анна Петровна" in html
    assert "Приём терапевта первичный" in html
    # Busy until 10:00 + 5 min buffer (demo MIS policy) -> first grid point 10:15.
    for expected in ("10:15", "10:30", "11:30"):
        assert expected in html, expected
    # 09:00 is taken, 10:45 would run into the 11:00 lunch break; 08:15 would
    # be the Moscow clock, not the branch's.
    for wrong in ("09:00", "10:45", "08:15"):
        assert f", {wrong}<" not in html, wrong
    assert "Тестовый филиал" in html


def test_doctor_page_without_free_time_says_so(client, ekb_doctor):
    ScheduleInterval.objects.filter(doctor=ekb_doctor, kind="work").delete()
    page = DoctorPage.objects.get(doctor=ekb_doctor)
    html = client.get(page.url).content.decode()
    assert "Нет свободного времени" in html


def test_unknown_page_is_a_russian_404(client, demo_clinic):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Страница не найдена" in response.content.decode()
