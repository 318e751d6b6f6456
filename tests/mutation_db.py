"""A pytest plugin for `make mutation`: each pytest run gets a fresh database
cloned from a migrated PostgreSQL template (about a second) instead of
migrating one (about a minute), so a mutant's tests start in seconds.

`python -m tests.mutation_db create` makes and migrates the template named
by CLINIC_MUTATION_TEMPLATE_DB (DATABASE_URL names the same database), `drop`
removes it; every pytest run of mutmut loads this module as a plugin
(`-p tests.mutation_db --reuse-db`, in pyproject's [tool.mutmut]).
"""

from __future__ import annotations

import os
import sys

import psycopg
from psycopg import sql

_clones: list[str] = []


def _admin_connection() -> psycopg.Connection:
    from django.conf import settings

    database = settings.DATABASES["default"]
    return psycopg.connect(
        dbname="postgres",
        user=database["USER"],
        password=database.get("PASSWORD") or None,
        host=database["HOST"],
        port=database["PORT"] or None,
        autocommit=True,
    )


def _drop(admin: psycopg.Connection, name: str) -> None:
    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def pytest_configure(config) -> None:
    """The run's test database is a fresh clone of the template (kept by --reuse-db)."""
    from django.conf import settings

    template = os.environ["CLINIC_MUTATION_TEMPLATE_DB"]
    clone = f"{template}_{os.getpid()}"
    with _admin_connection() as admin:
        _drop(admin, clone)
        admin.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(clone), sql.Identifier(template)
            )
        )
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = clone
    _clones.append(clone)


def pytest_unconfigure(config) -> None:
    from django.db import connections

    if not _clones:
        return
    connections.close_all()
    with _admin_connection() as admin:
        while _clones:
            _drop(admin, _clones.pop())


def main(command: str) -> None:
    import django
    from django.core.management import call_command

    if command not in ("create", "drop"):
        raise SystemExit("usage: python -m tests.mutation_db create|drop")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic_site.settings")
    django.setup()
    template = os.environ["CLINIC_MUTATION_TEMPLATE_DB"]
    with _admin_connection() as admin:
        _drop(admin, template)
        if command == "create":
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(template)))
    if command == "create":
        call_command("migrate", interactive=False, verbosity=0)
        from django.db import connections

        connections.close_all()  # a template must have no open connection


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
