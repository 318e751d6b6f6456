"""Shared fixtures: the demo clinic on the test database, free ports."""

import io
import shutil
import socket
from pathlib import Path

from django.core.management import call_command

import pytest

from integrations.mis.demo import DemoMis
from tests.module_data import TableSnapshot, rolled_back


@pytest.fixture(autouse=True)
def _clean_cache():
    """Each test starts with an empty cache (only this run's keys are removed)
    and with no web request in flight in its thread: a WSGI client that never
    closes its last response (schemathesis's) never sends request_finished,
    and the booking directory would keep that request's snapshot."""
    from booking import directory
    from clinic_site.cache import clear_own_cache

    clear_own_cache()
    directory._request_ended()
    yield


@pytest.fixture
def demo_mis() -> DemoMis:
    return DemoMis(seed=2026)


@pytest.fixture(scope="module")
def demo_clinic_once(django_db_setup, django_db_blocker):
    """The demo clinic, loaded once per test module (see rolled_back)."""
    with rolled_back(django_db_blocker):
        with django_db_blocker.unblock():
            out = io.StringIO()
            call_command("load_demo", stdout=out)
        yield out.getvalue()


@pytest.fixture
def demo_clinic(demo_clinic_once, db):
    """The demo clinic exactly as `make run` loads it (the text load_demo printed)."""
    return demo_clinic_once


@pytest.fixture(scope="session")
def _committed_demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo clinic for transactional tests, built once per test process:
    the first test that asks loads it and takes a TableSnapshot (with a copy
    of the demo MIS's store); the others get it back from the snapshot."""
    kept: dict[str, object] = {}
    folder = tmp_path_factory.mktemp("committed-demo")

    def load(settings) -> str:
        from django.db import connection

        assert not connection.in_atomic_block, "for transactional tests (see demo_clinic)"
        store = Path(settings.MIS_DEMO_STORE)
        if not kept:
            out = io.StringIO()
            call_command("load_demo", stdout=out)
            kept["output"] = out.getvalue()
            kept["snapshot"] = TableSnapshot("committed_demo").take()
            if store.exists():
                shutil.copyfile(store, folder / "demo-mis.sqlite3")
        else:
            kept["snapshot"].restore()
            if (folder / "demo-mis.sqlite3").exists():
                store.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(folder / "demo-mis.sqlite3", store)
        return kept["output"]

    yield load
    if kept:
        with django_db_blocker.unblock():
            kept["snapshot"].drop()


@pytest.fixture
def committed_demo(_committed_demo, settings, tmp_path):
    """The demo clinic exactly as `make run` loads it, committed, for a
    transactional test (a live server, a worker); its own demo-MIS store.
    Returns what load_demo printed."""
    settings.MIS_DEMO_STORE = str(tmp_path / "demo-mis.sqlite3")
    return _committed_demo(settings)


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """No persistent connections in tests: the live server's thread must not
    hold the test database open when it is dropped at the end of the run."""
    from django.conf import settings

    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0


def pytest_configure(config):
    """Passwords are hashed with a fast hasher in tests: the production one
    (PBKDF2, hundreds of thousands of rounds) made every demo load and login
    spend most of its time hashing. Hashes made before stay checkable."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]


def pytest_collection_modifyitems(items):
    """Every transactional test must restore the migrated data it flushes.

    A flush without serialized_rollback lets Django re-create content types
    with new ids, and every later serialized restore then collides with them.
    """
    modules_sharing_data = {
        item.module for item in items if any(f.endswith("_once") for f in item.fixturenames)
    }
    for item in items:
        marker = item.get_closest_marker("django_db")
        if item.module in modules_sharing_data and (
            (marker and marker.kwargs.get("transaction"))
            or {"transactional_db", "live_server"} & set(item.fixturenames)
        ):
            raise pytest.UsageError(
                f"{item.nodeid}: a transactional test cannot share a module with data "
                "loaded once for the module (a *_once fixture): move it to its own module"
            )
        if (
            marker
            and marker.kwargs.get("transaction")
            and not marker.kwargs.get("serialized_rollback")
        ):
            raise pytest.UsageError(
                f"{item.nodeid}: use django_db(transaction=True, serialized_rollback=True)"
            )


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db") if item is not None else None
    return bool(marker and marker.kwargs.get("transaction"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends with an empty database (Django flushes it);
    put the migrated data back when the next test is not one that restores it
    itself. Run one after another, pytest-django runs transactional tests last;
    pytest-xdist hands a worker whole files in any order, so a plain test can
    follow one."""
    yield
    if _transactional(item) and nextitem is not None and not _transactional(nextitem):
        from django.db import connection

        from pytest_django.plugin import blocking_manager_key

        contents = getattr(connection, "_test_serialized_contents", None)
        if contents:
            with item.config.stash[blocking_manager_key].unblock():
                connection.creation.deserialize_db_from_string(contents)


@pytest.fixture
def celery_worker(tmp_path):
    """Start a real Celery worker process on this run's test database and Redis.

    `celery_worker(queues, env={...}, beat=False)` returns the log file path;
    the worker is stopped at teardown. Used with
    django_db(transaction=True, serialized_rollback=True): the worker sees only
    committed rows.
    """
    import os
    import subprocess
    import sys
    from pathlib import Path

    from django.conf import settings

    root = Path(__file__).resolve().parent.parent
    started: list[subprocess.Popen] = []

    def start(queues: str, *, env: dict[str, str] | None = None, beat: bool = False) -> Path:
        db = settings.DATABASES["default"]
        url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        log = tmp_path / f"worker-{len(started)}.log"
        argv = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "clinic_site",
            "worker",
            "--loglevel=INFO",
            "--concurrency=1",
            "-Q",
            queues,
            "-n",
            f"test-{os.getpid()}-{len(started)}@%h",
            "--without-gossip",
            "--without-mingle",
        ]
        if beat:
            argv += ["--beat", "--schedule", str(tmp_path / "beat-schedule")]
        with log.open("w") as out:
            started.append(
                subprocess.Popen(
                    argv,
                    cwd=root,
                    env={**os.environ, "DATABASE_URL": url, **(env or {})},
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
        return log

    yield start
    for worker in started:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(request, monkeypatch):
    """Outside tests/cabinet/ (where the second factor itself is tested),
    `client.force_login(user)` stands for a complete login: password and the
    second factor, so the admin and the cabinet open as they do after one."""
    if "cabinet" in request.node.path.parts:
        return
    from django.test.client import ClientMixin

    original = ClientMixin.force_login

    def force_login(self, user, backend=None):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_static.models import StaticDevice

        original(self, user, backend)
        device, _ = StaticDevice.objects.get_or_create(user=user, name="tests")
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()

    monkeypatch.setattr(ClientMixin, "force_login", force_login)
