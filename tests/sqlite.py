"""Run tests on SQLite, the embedded default's database, in a pytest subprocess.

The suite runs on PostgreSQL. Some rules hold on SQLite only through our own
code (no exclusion constraint behind the overlap check, no full-text search
behind the search page), so their tests run once more on a SQLite file:
`run_on_sqlite(request, tmp_path_factory)`, called by a test, runs the other
tests of its module in a pytest process with the embedded default's settings
(SQLite in WAL mode with IMMEDIATE transactions, the file cache, no Redis)
and fails with that run's output unless they all pass. Migrations are applied
once per session to a template file that every run copies.

Loaded as a plugin (`-p tests.sqlite`, as run_on_sqlite does), this module
points Django's test database at that copy: Django's default for SQLite is an
in-memory database, where threads do not wait for each other's locks.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEST_DB_VARIABLE = "CLINIC_SQLITE_TEST_DB"


def pytest_configure(config) -> None:
    """(As a plugin) the test database is the copied template, kept (--reuse-db)."""
    from django.conf import settings

    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ[
        "CLINIC_SQLITE_TEST_DB"
    ]


def _environment(folder: Path, database: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "CLINIC_VAR_DIR": str(folder / "var"),
    }
    # One key for the template and its copies (a development key lives in var/).
    env.setdefault("SECRET_KEY", "sqlite-test-runs-only")
    # The embedded default: the file cache and the filesystem broker in CLINIC_VAR_DIR.
    for name in ("REDIS_URL", "CELERY_BROKER_URL", "REDIS_KEY_PREFIX"):
        env.pop(name, None)
    # The run is no xdist worker, even when the test that starts it is one.
    for name in [n for n in env if n.startswith("PYTEST_XDIST_")]:
        env.pop(name)
    return env


def _template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database, made once per session."""
    folder = tmp_path_factory.getbasetemp() / "sqlite-template"
    template = folder / "migrated.sqlite3"
    if template.exists():
        return template
    folder.mkdir(exist_ok=True)
    building = folder / "building.sqlite3"
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=_environment(folder, building),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"migrations on SQLite failed:\n{done.stdout}\n{done.stderr}"
    building.rename(template)
    return template


def run_on_sqlite(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> int:
    """Run the calling test's module but that test on a fresh copy of the
    migrated SQLite database; fail with its output unless every test passed.
    Returns how many passed."""
    folder = tmp_path_factory.mktemp("on-sqlite")
    database = folder / "test.sqlite3"
    shutil.copyfile(_template(tmp_path_factory), database)
    env = _environment(folder, folder / "unused.sqlite3")
    env[TEST_DB_VARIABLE] = str(database)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "tests.sqlite",
            "-p",
            "no:cacheprovider",
            # The project's addopts may name plugins (xdist) this run must not use.
            "-o",
            "addopts=",
            "--strict-markers",
            "--reuse-db",
            "-q",
            "-rfEs",
            str(request.node.path),
            "--deselect",
            request.node.nodeid,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"on SQLite:\n{output[-12000:]}"
    passed = re.search(r"(\d+) passed", output)
    assert passed, output
    assert not re.search(r"\d+ (skipped|xfailed|xpassed)", output), output
    return int(passed.group(1))
