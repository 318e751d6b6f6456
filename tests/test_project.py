"""Project-wide promises: migrations, settings from the environment, Russian, static."""

import gettext
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command

import pytest

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "CLINIC_ENV", "DEBUG"}
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", stdout=io.StringIO())
    call_command("check", stdout=io.StringIO())


def test_runs_on_the_services_of_the_environment():
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    assert settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "ru"


def test_embedded_default_without_any_variable():
    result = run_python(
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.DATABASES['default']['ENGINE'], "
        "s.DATABASES['default']['OPTIONS']['transaction_mode'], "
        "s.CACHES['default']['BACKEND'], s.CELERY_BROKER_URL, s.MIS_ADAPTER]))",
        DJANGO_SETTINGS_MODULE="clinic_site.settings",
        DATABASE_URL="",
        REDIS_URL="",
        CLINIC_VAR_DIR=str(ROOT / "var" / "test-embedded"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        '["django.db.backends.sqlite3", "IMMEDIATE", '
        '"clinic_site.cache.FileCache", "filesystem://", "demo"]'
    )
    shutil.rmtree(ROOT / "var" / "test-embedded", ignore_errors=True)


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_secrets(missing):
    env = {"CLINIC_ENV": "production", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "clinic.example"}
    del env[missing]
    result = run_python(
        "import django; django.setup()", DJANGO_SETTINGS_MODULE="clinic_site.settings", **env
    )
    assert result.returncode != 0
    assert f"{missing} must be set when CLINIC_ENV=production" in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = run_python(
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        DJANGO_SETTINGS_MODULE="clinic_site.settings",
        CLINIC_ENV="production",
        SECRET_KEY="a-long-random-production-secret-" + "k9Z!" * 12,
        ALLOWED_HOSTS="clinic.example",
        CLINIC_FIELD_KEYS="dGVzdC1vbmx5LWZpZWxkLWtleS0zMi1ieXRlcy1vayE=",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_russian_catalogue_is_complete_and_compiled():
    assert shutil.which("msgfmt"), "gettext's msgfmt is installed by .ci/run"
    check = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(PO)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    assert "untranslated" not in check.stderr and "fuzzy" not in check.stderr
    # The committed .mo says exactly what the .po says.
    fresh = PO.parent / "fresh-check.mo"
    try:
        subprocess.run(["msgfmt", "-o", str(fresh), str(PO)], check=True)
        with fresh.open("rb") as a, MO.open("rb") as b:
            assert gettext.GNUTranslations(a)._catalog == gettext.GNUTranslations(b)._catalog
    finally:
        fresh.unlink(missing_ok=True)


def test_front_end_libraries_come_from_npm():
    htmx = finders.find("vendor/htmx/htmx.min.js")
    chart = finders.find("vendor/chartjs/chart.umd.min.js")
    assert htmx and "node_modules" in htmx
    assert chart and "node_modules" in chart
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    assert "htmx" not in tracked.stdout.replace("package", "")
    assert "chart.umd" not in tracked.stdout


def test_static_files_are_served(client):
    response = client.get("/static/vendor/htmx/htmx.min.js")
    assert response.status_code == 200
    response = client.get("/static/css/site.css")
    assert response.status_code == 200


def test_every_task_can_be_sent_its_soft_limit_within_its_hard_one():
    """Celery refuses to send a task whose soft time limit (its own or the
    global default) exceeds its hard one: beat would fail on it every time."""
    from django.conf import settings

    from clinic_site.celery import app

    app.loader.import_default_modules()
    ours = {n: t for n, t in app.tasks.items() if not n.startswith("celery.")}
    assert ours
    for name, task in ours.items():
        soft = task.soft_time_limit or settings.CELERY_TASK_SOFT_TIME_LIMIT
        hard = task.time_limit or settings.CELERY_TASK_TIME_LIMIT
        assert soft <= hard, (name, soft, hard)


def test_the_embedded_defaults_files_are_their_owners_only(tmp_path):
    var = tmp_path / "var"
    result = run_python(
        "import django; django.setup()\n"
        "from django.core.cache import cache\n"
        "from django.db import connection\n"
        "from integrations.mis import get_mis_adapter\n"
        "with connection.cursor() as c: c.execute('CREATE TABLE probe (x integer)')\n"
        "cache.set('probe', 1)\n"
        "get_mis_adapter().doctors()\n",
        DJANGO_SETTINGS_MODULE="clinic_site.settings",
        DATABASE_URL="",
        REDIS_URL="",
        CLINIC_VAR_DIR=str(var),
    )
    assert result.returncode == 0, result.stderr
    made = [var, *var.rglob("*")]
    assert any(p.name == "clinic.sqlite3" for p in made) and any(
        p.name == "secret_key" for p in made
    )
    readable_by_others = [str(p) for p in made if p.stat().st_mode & 0o077]
    assert readable_by_others == []
