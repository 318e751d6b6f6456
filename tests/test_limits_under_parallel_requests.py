"""Limits on tries hold under parallel requests to a real server process.

gunicorn (2 worker processes of 8 threads each) serves the test database;
each test fires its requests at once from a thread pool, as a brute-force
script would, and counts the answers that were not refused. Run here on
PostgreSQL and Redis; `test_the_same_on_sqlite_and_the_file_cache` runs the
others again on the embedded default (SQLite and the file cache), where
counters are files.

Before the counters were taken before the step they guard, 36 parallel
wrong booking codes got 21 comparisons (limit 5), 36 reset codes 12, 24
passwords 12.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.utils import timezone

import httpx
import pytest

from booking.selectors import default_service, next_free_slots
from catalog.models import Doctor
from integrations.mis import get_mis_adapter
from integrations.mis.sync import run_mis_sync
from integrations.sms.models import SmsDelivery
from tests.cabinet.conftest import make_patient, ru
from tests.polling import wait_for
from tests.sqlite import run_on_sqlite

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Sekret-pass-2026"  # noqa: S105
PARALLEL = 36
LIMITS = {
    "LOGIN_FAILURE_LIMIT": 5,
    "LOGIN_CODE_TRIES": 5,
    "LOGIN_SMS_PER_HOUR": 5,
    "BOOKING_HOLDS_PER_IP": "10/hour",
}


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{db['USER'] or 'postgres'}@{host}/{db['NAME']}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker, tmp_path_factory):
    """The site in gunicorn on the test database; yields (base URL, demo-MIS store)."""
    store = tmp_path_factory.mktemp("parallel") / "demo-mis.sqlite3"
    port = _free_port()
    log = store.parent / "gunicorn.log"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "MIS_DEMO_STORE": str(store),
        **{name: str(value) for name, value in LIMITS.items()},
    }
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "clinic_site.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--worker-class",
                "gthread",
                "--threads",
                "8",
                "--timeout",
                "120",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            return httpx.get(f"{base}/healthz", timeout=2).status_code < 500
        except httpx.HTTPError:
            return False

    try:
        wait_for(answers, seconds=60, what="gunicorn answering", log=log)
        yield base, store
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def site(server, settings):
    base, store = server
    settings.MIS_DEMO_STORE = str(store)
    for name, value in LIMITS.items():
        setattr(settings, name, value)
    return base


def at_once(count: int, send) -> list[httpx.Response]:
    """`send(i)` for i in range(count), all at the same time."""
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(send, range(count)))


def csrf(client: httpx.Client, url: str) -> str:
    page = client.get(url).text
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def a_user():
    user = make_patient()
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "parallel-salt")
    user.save(update_fields=["password"])
    return user


def password_form(token: str, password: str) -> dict[str, str]:
    return {
        "csrfmiddlewaretoken": token,
        "login_view-current_step": "auth",
        "auth-username": "+79990000001",
        "auth-password": password,
    }


def test_parallel_wrong_passwords_are_checked_no_more_than_the_limit(site):
    a_user()
    locked = ru(
        "Too many failed attempts. The login is locked for %(minutes)s minutes; "
        "try later or restore the password by SMS."
    ) % {"minutes": 15}

    def attempt(i: int) -> httpx.Response:
        with httpx.Client(base_url=site, timeout=60) as client:
            token = csrf(client, "/cabinet/login/")
            return client.post("/cabinet/login/", data=password_form(token, f"wrong-{i}"))

    pages = [r.text for r in at_once(24, attempt)]
    refused = sum(locked in page for page in pages)
    assert 24 - refused <= 5, f"{24 - refused} wrong passwords were checked (limit 5)"
    # The lock holds against the right password too.
    with httpx.Client(base_url=site, timeout=60) as client:
        token = csrf(client, "/cabinet/login/")
        page = client.post("/cabinet/login/", data=password_form(token, PASSWORD)).text
    assert locked in page


def logged_in_to_the_code_step(site: str) -> tuple[httpx.Client, str]:
    """A client past the password, at the code step; and the form's CSRF token."""
    client = httpx.Client(base_url=site, timeout=60)
    token = csrf(client, "/cabinet/login/")
    page = client.post("/cabinet/login/", data=password_form(token, PASSWORD)).text
    assert 'name="token-otp_token"' in page, page[-2000:]
    return client, re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def test_parallel_wrong_login_codes_are_checked_no_more_than_the_limit(site):
    a_user()
    client, token = logged_in_to_the_code_step(site)
    locked = ru(
        "Too many wrong codes. The login is locked for %(minutes)s minutes; "
        "try later or call the clinic."
    ) % {"minutes": 15}

    def attempt(i: int) -> httpx.Response:
        return client.post(
            "/cabinet/login/",
            data={
                "csrfmiddlewaretoken": token,
                "login_view-current_step": "token",
                "token-otp_token": f"{(i * 7919) % 10**6:06d}",
            },
        )

    answers = at_once(PARALLEL, attempt)
    client.close()
    refused = sum(locked in r.text for r in answers)
    assert PARALLEL - refused <= 5, f"{PARALLEL - refused} codes were checked (limit 5)"


def test_parallel_logins_text_no_more_codes_than_the_hourly_limit(site):
    a_user()

    def attempt(i: int) -> httpx.Response:
        with httpx.Client(base_url=site, timeout=60) as client:
            token = csrf(client, "/cabinet/login/")
            return client.post("/cabinet/login/", data=password_form(token, PASSWORD))

    at_once(12, attempt)
    sent = SmsDelivery.objects.filter(phone="+79990000001", purpose="login_code").count()
    assert 1 <= sent <= 5, f"{sent} login codes were texted to one number (limit 5 per hour)"


def test_parallel_wrong_reset_codes_are_checked_no_more_than_the_limit(site):
    a_user()
    client = httpx.Client(base_url=site, timeout=60)
    token = csrf(client, "/cabinet/password-reset/")
    client.post(
        "/cabinet/password-reset/", data={"csrfmiddlewaretoken": token, "phone": "+79990000001"}
    )
    assert SmsDelivery.objects.filter(purpose="password_reset_code").count() == 1
    token = csrf(client, "/cabinet/password-reset/")
    wrong = ru("The code is wrong. Check the SMS or ask for a new code.")

    def attempt(i: int) -> httpx.Response:
        return client.post(
            "/cabinet/password-reset/",
            data={
                "csrfmiddlewaretoken": token,
                "code": f"{(i * 7919) % 10**6:06d}",
                "password1": "Novyi-parol-2026!",
                "password2": "Novyi-parol-2026!",
            },
        )

    answers = at_once(PARALLEL, attempt)
    client.close()
    checked = sum(wrong in r.text for r in answers)
    assert checked <= 5, f"{checked} reset codes were compared (limit 5)"


def held_slot(site: str) -> dict:
    run_mis_sync(adapter=get_mis_adapter(), days=7)
    later = timezone.now() + timedelta(days=1)
    for doctor in Doctor.objects.order_by("pk"):
        service = default_service(doctor)
        slots = next_free_slots(doctor=doctor, service=service, now=later, limit=1)
        if slots:
            held = httpx.post(
                f"{site}/api/v1/holds/",
                json={
                    "doctor": doctor.pk,
                    "service": service.pk,
                    "start": slots[0].start.isoformat(),
                },
                timeout=60,
            )
            assert held.status_code == 201, held.text
            return held.json()
    raise AssertionError("no free slot in the demo clinic")


def test_parallel_wrong_booking_codes_are_checked_no_more_than_the_limit(site):
    held = held_slot(site)
    phone = "+79990000077"
    url = f"{site}/api/v1/appointments/{held['id']}/"
    sent = httpx.post(
        f"{url}phone-code/", json={"token": held["token"], "phone": phone}, timeout=60
    )
    assert sent.status_code == 202, sent.text
    body = {
        "token": held["token"],
        "patient": {"last_name": "Проверочный", "first_name": "Тест", "phone": phone},
        "consent": True,
    }

    def attempt(i: int) -> httpx.Response:
        return httpx.post(
            f"{url}confirm/", json={**body, "code": f"{(i * 7919) % 10**6:06d}"}, timeout=60
        )

    codes = [r.json()["error"]["code"] for r in at_once(PARALLEL, attempt)]
    assert codes.count("phone_code_invalid") <= 5, codes
    assert codes.count("phone_code_invalid") + codes.count("phone_code_limit") == PARALLEL, codes


def test_parallel_holds_get_no_more_than_the_rate(site):
    def attempt(i: int) -> httpx.Response:
        # Not even a valid hold: the throttle counts before the view looks.
        return httpx.post(f"{site}/api/v1/holds/", json={"doctor": 0}, timeout=60)

    statuses = [r.status_code for r in at_once(40, attempt)]
    assert statuses.count(429) >= 30, statuses


def test_the_same_on_sqlite_and_the_file_cache(request, tmp_path_factory):
    assert run_on_sqlite(request, tmp_path_factory) == 6
