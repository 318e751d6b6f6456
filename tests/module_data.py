"""Data loaded once per test module instead of once per test."""

from contextlib import contextmanager

from django.db import transaction


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
