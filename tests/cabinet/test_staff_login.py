"""The staff login at /admin/login/: its own page (no registration, no patient
wording), password then the TOTP code, `next` kept; patients refused there.
And the code fields' labels of both logins («Код из SMS», «Код из приложения»,
«Резервный код») instead of django-two-factor-auth's "Token"."""

from urllib.parse import quote

from django.contrib.auth.models import Permission

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice

from cabinet.accounts.models import User
from integrations.sms.models import SmsDelivery
from tests.cabinet.conftest import make_patient, staff_with_totp

pytestmark = pytest.mark.django_db

STAFF_LOGIN = "/admin/login/"
LOGIN = "/cabinet/login/"
PASSWORD = "Sekret-pass-2026"  # noqa: S105
STEP = "staff_login_view-current_step"


@pytest.fixture
def editor(db) -> User:
    """A Wagtail editor: admin access, not a superuser."""
    user = User.objects.create_user("editor-test", password=PASSWORD, is_staff=False)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


def staff_password_step(client, username, password=PASSWORD, url=STAFF_LOGIN):
    return client.post(url, {STEP: "auth", "auth-username": username, "auth-password": password})


def staff_token_step(client, token, url=STAFF_LOGIN):
    return client.post(url, {STEP: "token", "token-otp_token": token})


def label_of(page: str, name: str) -> str:
    """The text of the <label> of the input `name` (the label comes right before it)."""
    import re

    match = re.search(r'<label for="id_' + re.escape(name) + r'">([^<]*)</label>', page)
    assert match, f"no label for {name}"
    return match.group(1).strip()


def test_admin_login_is_the_staff_page_without_registration(client):
    response = client.get(STAFF_LOGIN)
    assert response.status_code == 200
    assert "two_factor/core/staff_login.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert "Вход для сотрудников клиники" in page
    assert "Зарегистрироваться" not in page and "/cabinet/register/" not in page
    assert "пациент" not in page.split("<main", 1)[1].lower()  # no patient wording
    assert label_of(page, "auth-username") == "Логин"


def test_admin_and_django_admin_send_anonymous_visitors_to_the_staff_login(client):
    response = client.get("/admin/pages/")
    assert response.status_code == 302 and response["Location"].startswith(STAFF_LOGIN)
    response = client.get("/django-admin/login/?next=/django-admin/cabinet/")
    assert response["Location"] == f"{STAFF_LOGIN}?next={quote('/django-admin/cabinet/', safe='')}"
    response = client.get("/django-admin/")
    assert response.status_code == 302
    assert (
        client.get(response["Location"], follow=True).redirect_chain[-1][0].startswith(STAFF_LOGIN)
    )


def test_staff_log_in_with_password_then_totp_and_land_on_next(client, editor):
    device = staff_with_totp(editor)
    url = f"{STAFF_LOGIN}?next=/admin/pages/"
    page = staff_password_step(client, "editor-test", url=url)
    assert page.status_code == 200  # the code step: the password alone opens nothing
    assert label_of(page.content.decode(), "token-otp_token") == "Код из приложения"
    assert client.get("/admin/").status_code == 302
    right = f"{totp(device.bin_key):06d}"
    staff_token_step(client, "000000" if right != "000000" else "111111", url=url)
    assert client.get("/admin/").status_code == 302  # a wrong code opens nothing either
    device.refresh_from_db()
    device.throttle_reset()  # the device throttles tries after a wrong code
    response = staff_token_step(client, f"{totp(device.bin_key):06d}", url=url)
    assert response.status_code == 302 and response["Location"] == "/admin/pages/"
    assert client.get("/admin/").status_code == 200


def test_without_next_the_staff_login_goes_to_the_admin(client, editor):
    device = staff_with_totp(editor)
    staff_password_step(client, "editor-test")
    response = staff_token_step(client, f"{totp(device.bin_key):06d}")
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_staff_without_a_device_reach_the_totp_setup_with_the_administrators_link(client, editor):
    # Without the link the password signs nobody in (tests/cabinet/test_staff_enrolment.py).
    from cabinet.accounts.enrolment import link_path

    client.get(link_path(editor))
    response = staff_password_step(client, "editor-test")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    response = client.get("/admin/")
    assert response.status_code == 302 and "two_factor/setup" in response["Location"]
    setup = client.get(response["Location"])
    assert setup.status_code == 200
    assert "cabinet-page" in setup.content.decode()  # two-factor's own page, our style


def test_a_patient_is_refused_by_the_staff_login_and_never_reaches_the_admin(client):
    make_patient()
    page = staff_password_step(client, "+79990000001").content.decode()
    assert "Этот вход только для сотрудников клиники" in page
    assert not SmsDelivery.objects.exists()  # no code step, no SMS
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_a_wrong_staff_password_counts_for_the_lockout(client, editor, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    staff_with_totp(editor)
    for _ in range(2):
        staff_password_step(client, "editor-test", "wrong-password")
    page = staff_password_step(client, "editor-test").content.decode()
    assert "token-otp_token" not in page  # locked: the right password gets no code step


def test_the_patient_login_stays_for_patients_and_labels_the_sms_code(client):
    make_patient()
    page = client.get(LOGIN).content.decode()
    assert "Вход в личный кабинет пациента" in page and "Зарегистрироваться" in page
    page = client.post(
        LOGIN,
        {
            "login_view-current_step": "auth",
            "auth-username": "+79990000001",
            "auth-password": PASSWORD,
        },
    ).content.decode()
    assert label_of(page, "token-otp_token") == "Код из SMS"
    assert "Токен" not in page
    assert 'inputmode="numeric"' in page


def test_a_backup_code_has_a_label_of_its_own(client, admin_user):
    staff_with_totp(admin_user)
    backup = StaticDevice.objects.create(user=admin_user, name="backup")
    backup.token_set.create(token="abcd1234")  # noqa: S106
    staff_password_step(client, "admin", "password")
    page = client.post(STAFF_LOGIN, {STEP: "token", "wizard_goto_step": "backup"})
    assert label_of(page.content.decode(), "backup-otp_token") == "Резервный код"
    response = client.post(STAFF_LOGIN, {STEP: "backup", "backup-otp_token": "abcd1234"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
