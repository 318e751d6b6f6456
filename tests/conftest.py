"""Shared fixtures: the demo clinic on the test database, free ports."""

import io
import socket

from django.core.management import call_command

import pytest

from integrations.mis.demo import DemoMis


@pytest.fixture(autouse=True)
def _clean_cache():
    """Each test starts with an empty cache: only this run's keys are removed."""
    from clinic_site.cache import clear_own_cache

    clear_own_cache()
    yield


@pytest.fixture
def demo_mis() -> DemoMis:
    return DemoMis(seed=2026)


@pytest.fixture
def demo_clinic(db):
    """The demo clinic exactly as `make run` loads it."""
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


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


def pytest_collection_modifyitems(items):
    """Every transactional test must restore the migrated data it flushes.

    A flush without serialized_rollback lets Django re-create content types
    with new ids, and every later serialized restore then collides with them.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if (
            marker
            and marker.kwargs.get("transaction")
            and not marker.kwargs.get("serialized_rollback")
        ):
            raise pytest.UsageError(
                f"{item.nodeid}: use django_db(transaction=True, serialized_rollback=True)"
            )


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
