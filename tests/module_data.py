"""Data built once instead of once per test.

- `rolled_back`: a module's data in one transaction, each test a savepoint.
- `TableSnapshot`: for tests whose data must be committed (a live server's
  thread, a Celery worker read it), a copy of every table in a schema of its
  own, put back in a fraction of the time building the data took.
"""

from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def rolled_back(django_db_blocker):
    """One transaction around everything inside, rolled back at the end.

    Module-scoped data is loaded inside it once; each test's own transaction
    (pytest-django's `db`) is then a savepoint in it, so whatever a test
    changes is undone before the next, and the module's data after the last.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


class TableSnapshot:
    """Every table's rows and every sequence's position (PostgreSQL), kept in
    the schema `name` of the test database, which Django's flush leaves alone."""

    def __init__(self, name: str):
        self.schema = connection.ops.quote_name(name)
        self.tables: list[str] = []
        self.sequences: list[tuple[str, int | None]] = []

    def take(self) -> "TableSnapshot":
        with connection.cursor() as cursor:
            self.tables = [
                t for t in connection.introspection.table_names(cursor) if t != "django_migrations"
            ]
            cursor.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
            cursor.execute(f"CREATE SCHEMA {self.schema}")
            for table in self.tables:
                name = connection.ops.quote_name(table)
                cursor.execute(f"CREATE TABLE {self.schema}.{name} AS TABLE public.{name}")
            cursor.execute(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
            )
            self.sequences = list(cursor.fetchall())
        return self

    def restore(self) -> None:
        """Put every table back as it was taken (triggers and foreign-key checks
        are off while it copies: the rows were consistent when taken)."""
        quoted = [connection.ops.quote_name(t) for t in self.tables]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute("TRUNCATE " + ", ".join(f"public.{t}" for t in quoted))
            for name in quoted:
                # (names are the database's own tables, quoted)
                cursor.execute(f"INSERT INTO public.{name} SELECT * FROM {self.schema}.{name}")  # noqa: S608
            for sequence, last_value in self.sequences:
                cursor.execute(
                    "SELECT setval(%s, %s, %s)",
                    [
                        f"public.{connection.ops.quote_name(sequence)}",
                        last_value or 1,
                        bool(last_value),
                    ],
                )

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
