"""The demo site without the month of schedule: pages, catalog, images, workflow."""

import pytest

from clinic_pages.demo import ensure_demo_content, ensure_demo_site
from integrations.mis.demo import DemoMis
from integrations.mis.sync import run_mis_sync


def load_demo_site() -> None:
    """Everything `load_demo` makes except the schedule beyond today (it is slow)."""
    ensure_demo_site()
    run_mis_sync(adapter=DemoMis(seed=2026), days=1)
    ensure_demo_site()
    ensure_demo_content()


@pytest.fixture
def demo_site(db):
    load_demo_site()
