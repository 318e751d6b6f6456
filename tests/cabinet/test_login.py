"""Login: password + SMS code for patients, TOTP for staff on every admin
login URL, a resend limit, lockout, inactivity expiry, reset by SMS."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone
from django.utils.html import escape

import pytest
from django_otp.oath import totp

from integrations.sms.models import SmsDelivery
from tests.cabinet.conftest import last_code, ru, shows, staff_with_totp

pytestmark = pytest.mark.django_db

LOGIN = "/cabinet/login/"
STAFF_LOGIN = "/admin/login/"
PASSWORD = "Sekret-pass-2026"  # noqa: S105


def password_step(client, username, password=PASSWORD, **extra):
    return client.post(
        LOGIN,
        {
            "login_view-current_step": "auth",
            "auth-username": username,
            "auth-password": password,
        },
        **extra,
    )


def token_step(client, token):
    return client.post(LOGIN, {"login_view-current_step": "token", "token-otp_token": token})


def test_the_password_alone_opens_nothing_the_sms_code_does(client, patient_user, time_machine):
    time_machine.move_to(timezone.now(), tick=True)
    page = password_step(client, "+7 999 000-00-01")
    assert page.status_code == 200  # the code step, not a redirect
    assert SmsDelivery.objects.filter(phone="+79990000001", purpose="login_code").count() == 1
    cabinet = client.get("/cabinet/")
    assert cabinet.status_code == 302 and cabinet["Location"].startswith(LOGIN)

    code = last_code("+79990000001", "login_code")
    token_step(client, "000000" if code != "000000" else "111111")  # a wrong code
    assert client.get("/cabinet/").status_code == 302
    time_machine.shift(timedelta(seconds=1.1))  # the device throttles tries after a wrong code
    response = token_step(client, last_code("+79990000001", "login_code"))
    assert response.status_code == 302 and response["Location"] == "/cabinet/"
    assert client.get("/cabinet/notifications/").status_code == 200
    # Logged in; medical data then waits for the consent, not for a login.
    assert client.get("/cabinet/")["Location"].startswith("/cabinet/consent/")


def test_a_patient_without_second_factor_in_session_is_sent_to_login(client, patient_user):
    client.force_login(patient_user)  # password only: no verified device in the session
    response = client.get("/cabinet/notifications/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_codes_per_number_are_limited_per_hour(client, patient_user, settings):
    settings.LOGIN_SMS_PER_HOUR = 2
    password_step(client, "+79990000001")
    device_id = patient_user.phonedevice_set.get().persistent_id
    page = client.post(LOGIN, {"challenge_device": device_id})  # resend 1: allowed
    assert page.status_code == 200
    page = client.post(LOGIN, {"challenge_device": device_id}).content.decode()  # over the limit
    assert SmsDelivery.objects.filter(purpose="login_code").count() == 2
    assert shows(
        page,
        "Too many codes were sent to this number in the last hour. "
        "Please try again later or call the clinic.",
    )
    # Another client cannot reset it: the limit is per number.
    other = Client()
    password_step(other, "+79990000001")
    assert SmsDelivery.objects.filter(purpose="login_code").count() == 2


def test_staff_need_totp_on_admin_and_on_wagtails_own_login(client, admin_user):
    device = staff_with_totp(admin_user)
    # Wagtail's and Django's login forms are not a way around the second factor:
    # /admin/login/ is the staff login (two steps), Django admin's is sent to it.
    response = client.get("/django-admin/login/")
    assert response.status_code == 302 and response["Location"].startswith(STAFF_LOGIN)
    for url in ("/admin/login/", "/django-admin/login/"):
        client.post(url, {"username": "admin", "password": "password"})
        assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302
    # A password-only session (e.g. from another login form) does not open the admin.
    client.force_login(admin_user)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(STAFF_LOGIN)
    client.logout()

    password_step(client, "admin", "password")
    assert client.get("/admin/").status_code == 302
    token = f"{totp(device.bin_key):06d}"
    response = token_step(client, token)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_staff_without_a_device_are_sent_to_totp_setup(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/admin/")
    assert response.status_code == 302 and "two_factor/setup" in response["Location"]


def test_lockout_after_repeated_failures_per_username_and_ip(client, patient_user, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        password_step(client, "+79990000001", "wrong-password")
        assert not SmsDelivery.objects.filter(purpose="login_code").exists()
    # The right password is refused now, with a clear message, and no code goes out.
    page = password_step(client, "+79990000001").content.decode()
    locked = ru(
        "Too many failed attempts. The login is locked for %(minutes)s minutes; "
        "try later or restore the password by SMS."
    ) % {"minutes": 15}
    assert escape(locked) in page
    assert not SmsDelivery.objects.filter(purpose="login_code").exists()
    # Another address is not locked out of the same account.
    other = Client(REMOTE_ADDR="198.51.100.9")
    password_step(other, "+79990000001", REMOTE_ADDR="198.51.100.9")
    assert SmsDelivery.objects.filter(purpose="login_code").count() == 1


def test_the_session_ends_after_inactivity(client, patient_user, settings, time_machine):
    time_machine.move_to(timezone.now(), tick=True)
    settings.SESSION_COOKIE_AGE = 2
    password_step(client, "+79990000001")
    token_step(client, last_code("+79990000001", "login_code"))
    for _ in range(3):  # activity keeps it alive past the age
        time_machine.shift(timedelta(seconds=0.8))
        assert client.get("/cabinet/notifications/").status_code == 200
    time_machine.shift(timedelta(seconds=2.5))
    response = client.get("/cabinet/notifications/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_password_reset_by_sms_code(client, patient_user):
    url = "/cabinet/password-reset/"
    assert client.post(url, {"phone": "+79990000001"}).status_code == 302
    code = last_code("+79990000001", "password_reset_code")
    page = client.post(
        url,
        {"code": "999999" if code != "999999" else "111111", "password1": "x", "password2": "x"},
    ).content.decode()
    patient_user.refresh_from_db()
    assert patient_user.check_password(PASSWORD)
    response = client.post(
        url, {"code": code, "password1": "Novyi-parol-2026", "password2": "Novyi-parol-2026"}
    )
    assert response.status_code == 302 and response["Location"] == LOGIN
    patient_user.refresh_from_db()
    assert patient_user.check_password("Novyi-parol-2026")
    assert page


def test_password_reset_does_not_tell_whether_a_number_is_registered(client):
    response = client.post("/cabinet/password-reset/", {"phone": "+79995550009"})
    assert response.status_code == 302
    assert not SmsDelivery.objects.exists()


def test_totp_setup_opens_before_the_second_factor_but_disabling_it_does_not(
    client, admin_user, patient_user
):
    client.force_login(admin_user)
    assert client.get("/cabinet/account/two_factor/setup/").status_code == 200
    client.force_login(patient_user)  # password only
    response = client.get("/cabinet/account/two_factor/disable/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert patient_user.phonedevice_set.exists()
