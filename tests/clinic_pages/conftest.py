"""The demo site without the month of schedule: pages, catalog, images, workflow."""

import pytest

from clinic_pages.demo import ensure_demo_content, ensure_demo_site
from integrations.mis.demo import DemoMis
from integrations.mis.sync import run_mis_sync
from tests.module_data import rolled_back


def load_demo_site() -> None:
    """Everything `load_demo` makes except the schedule beyond today (it is slow)."""
    ensure_demo_site()
    run_mis_sync(adapter=DemoMis(seed=2026), days=1)
    ensure_demo_site()
    ensure_demo_content()


@pytest.fixture(scope="module")
def demo_site_once(django_db_setup, django_db_blocker):
    """The demo site, built once per test module; each test's changes roll back."""
    with rolled_back(django_db_blocker):
        with django_db_blocker.unblock():
            load_demo_site()
        yield


@pytest.fixture
def demo_site(demo_site_once, db):
    """The demo site (see demo_site_once)."""
