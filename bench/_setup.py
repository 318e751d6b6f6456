"""Shared by the benches: a fresh PostgreSQL database and Redis prefix, Django set up.

Import this module first: it points DATABASE_URL / REDIS_URL at a database
of the bench's own (created and migrated here, dropped by `drop()`).
"""

from __future__ import annotations

import atexit
import os
import statistics
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RUN = uuid.uuid4().hex[:8]
SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DATABASE = f"clinic_bench_{RUN}"
VAR_DIR = Path(tempfile.mkdtemp(prefix="clinic-bench-"))
ENV = {
    "DATABASE_URL": f"{SERVER}/{DATABASE}",
    "REDIS_URL": os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/0"),
    "REDIS_KEY_PREFIX": f"bench-{RUN}",
    "CLINIC_VAR_DIR": str(VAR_DIR),
    "DEBUG": "false",
    "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
    "LOG_LEVEL": "WARNING",
    # The storm comes from one address: the per-IP hold limit would stop it.
    "BOOKING_HOLDS_PER_IP": "1000000/min",
    # A storm of machines, not people: no one reads the SMS codes.
    "BOOKING_GUEST_PHONE_CODE": "false",
    "DJANGO_SETTINGS_MODULE": "clinic_site.settings",
}
os.environ.update(ENV)


def _psql(sql: str) -> None:
    subprocess.run(["psql", f"{SERVER}/postgres", "-q", "-c", sql], check=True, capture_output=True)


def drop() -> None:
    from django.db import connections

    connections.close_all()
    _psql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


_psql(f'CREATE DATABASE "{DATABASE}"')
atexit.register(drop)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

call_command("migrate", verbosity=0)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(values_ms: list[float]) -> str:
    return (
        f"p50 {statistics.median(values_ms):7.1f} ms   p95 {percentile(values_ms, 95):7.1f} ms"
        f"   (n={len(values_ms)})"
    )
