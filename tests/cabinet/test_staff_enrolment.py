"""A staff account without a second factor is not owned by whoever knows its
password: the password alone signs nobody in; the account enrols its
authenticator only with the administrator's one-time, expiring link or with
a code texted to the phone on the account, and that half-way session is no
API session."""

import io
import re
from datetime import timedelta

from django.core.management import call_command
from django.test import Client
from django.utils import timezone

import pytest

from integrations.sms.models import SmsDelivery
from tests.cabinet.conftest import last_code, shows, staff_with_totp

pytestmark = pytest.mark.django_db

STAFF_LOGIN = "/admin/login/"
SETUP = "/cabinet/account/two_factor/setup/"
PASSWORD = "Staff-pass-2026"  # noqa: S105


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user(
        "editor-new", password=PASSWORD, is_staff=True, phone=""
    )


def password_step(client, username="editor-new", password=PASSWORD):
    return client.post(
        STAFF_LOGIN,
        {
            "staff_login_view-current_step": "auth",
            "login_view-current_step": "auth",
            "auth-username": username,
            "auth-password": password,
        },
        follow=True,
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def link_of(user) -> str:
    out = io.StringIO()
    call_command("staff_enrolment_link", user.username, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def test_the_password_alone_signs_a_staff_member_without_a_device_in_nowhere(client, editor):
    page = password_step(client).content.decode()
    assert not signed_in(client)
    assert shows(
        page,
        "Your account has no second factor yet. Ask the clinic's administrator for an "
        "enrolment link, or for your mobile number to be put on the account.",
    )
    assert client.get(SETUP).status_code == 302
    assert client.get("/admin/").status_code == 302
    # Nor through the patients' login form.
    Client().post(
        "/cabinet/login/",
        {
            "login_view-current_step": "auth",
            "auth-username": "editor-new",
            "auth-password": PASSWORD,
        },
    )
    assert not signed_in(client)


def test_the_administrators_link_lets_the_staff_member_enrol_once(client, editor):
    link = link_of(editor)
    assert client.get(link).status_code == 302
    password_step(client)
    assert signed_in(client)
    assert client.get(SETUP).status_code == 200
    # The half-way session reaches nothing else of the admin (nor the API:
    # tests/booking/test_api_needs_a_verified_session.py).
    assert client.get("/admin/pages/")["Location"] == SETUP
    # One use: the link is spent by that login.
    other = Client()
    assert other.get(link).status_code == 410
    password_step(other)
    assert not signed_in(other)


def test_a_link_expires_and_names_one_account(client, editor, django_user_model, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    link = link_of(editor)
    django_user_model.objects.create_user("admin-2", password=PASSWORD, is_staff=True)
    client.get(link)
    password_step(client, "admin-2")  # the link is the editor's, not theirs
    assert not signed_in(client)
    time_machine.shift(timedelta(hours=24, seconds=1))
    late = Client()
    page = late.get(link)
    assert page.status_code == 410
    assert shows(page.content.decode(), "This enrolment link no longer works")
    password_step(late)
    assert not signed_in(late)


def test_a_forged_link_does_nothing(client, editor):
    link = link_of(editor)
    forged = re.sub(r"/([^/]+)/$", "/1a2b3c-0123456789abcdef0123456789abcdef/", link)
    assert client.get(forged).status_code == 410
    assert client.get("/admin/login/enrol/xx/yy/").status_code == 410


def test_a_code_to_the_phone_on_the_account_lets_it_enrol(client, editor):
    editor.phone = "+79990000311"
    editor.save()
    response = password_step(client)
    assert response.redirect_chain[-1][0] == "/admin/login/enrol-code/"
    assert not signed_in(client)
    code = last_code("+79990000311", "staff_enrolment_code")
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    client.post("/admin/login/enrol-code/", {"code": wrong})
    assert not signed_in(client)
    answer = client.post("/admin/login/enrol-code/", {"code": code})
    assert answer["Location"] == SETUP
    assert signed_in(client)
    assert client.get(SETUP).status_code == 200


def test_the_code_page_needs_the_password_first(client, editor):
    editor.phone = "+79990000312"
    editor.save()
    assert client.get("/admin/login/enrol-code/")["Location"] == STAFF_LOGIN
    assert not SmsDelivery.objects.exists()


def test_the_command_refuses_an_account_that_needs_no_link(editor, django_user_model):
    from django.core.management.base import CommandError

    staff_with_totp(editor)
    with pytest.raises(CommandError):
        link_of(editor)
    patient = django_user_model.objects.create_user("+79990000313", password=PASSWORD)
    with pytest.raises(CommandError):
        link_of(patient)


def test_the_admin_puts_the_staff_members_phone_on_the_account(client, editor, admin_user):
    from django.urls import reverse

    from tests.cabinet.conftest import verified_staff_login

    verified_staff_login(client, admin_user)
    url = reverse("wagtailusers_users:edit", args=[editor.pk])
    page = client.get(url).content.decode()
    assert 'name="phone"' in page
    answer = client.post(
        url,
        {
            "username": "editor-new",
            "email": "editor@clinic.example",
            "first_name": "Елена",
            "last_name": "Редакторова",
            "phone": "8 999 000-03-14",
            "is_active": "on",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[-3000:]
    editor.refresh_from_db()
    assert editor.phone == "+79990000314"
    # And that number is where the enrolment code goes.
    password_step(Client())
    assert last_code("+79990000314", "staff_enrolment_code")
