"""The corporate/DMS page: an inquiry form whose submissions are kept and emailed."""

from django.core import mail

from wagtail.contrib.forms.models import FormSubmission

import pytest

from clinic_pages.models import CorporatePage

pytestmark = pytest.mark.django_db

INQUIRY = {
    "company": "ООО «Пример»",
    "contact_person": "Иванова Мария",
    "phone": "+79990000051",
    "email": "hr@example.invalid",
    "employees": "120",
    "message": "ДМС для сотрудников",
}


def test_demo_page_and_its_form(client, demo_clinic):
    page = CorporatePage.objects.get()
    html = client.get(page.url).content.decode()
    assert "Корпоративным клиентам и ДМС" in html
    assert 'name="company"' in html and "Отправить заявку" in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_an_inquiry_is_kept_and_emailed(client, demo_clinic, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    page = CorporatePage.objects.get()
    response = client.post(page.url, INQUIRY)
    assert response.status_code == 200
    assert "перезвонит" in response.content.decode()
    submission = FormSubmission.objects.get(page=page)
    assert submission.get_data()["company"] == "ООО «Пример»"
    assert len(mail.outbox) == 1 and "ООО «Пример»" in mail.outbox[0].body


def test_missing_fields_get_errors_and_nothing_is_lost(client, demo_clinic):
    page = CorporatePage.objects.get()
    response = client.post(page.url, {**INQUIRY, "company": "", "email": "nope"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Требуется заполнить это поле" in html
    assert "Иванова Мария" in html  # what was typed stays in the form
    assert not FormSubmission.objects.exists()


def test_the_form_page_is_never_served_from_the_page_cache(client, demo_clinic):
    page = CorporatePage.objects.get()
    first = client.get(page.url).content.decode()
    client.cookies.clear()
    second = client.get(page.url).content.decode()
    token = 'name="csrfmiddlewaretoken" value="'
    assert first.split(token)[1][:20] != second.split(token)[1][:20]
