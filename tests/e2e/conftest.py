"""A real Chromium (Debian's /usr/bin/chromium) driven by Playwright."""

import os
import shutil

from django.db import connections

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 3,
    # An English browser still gets the Russian site.
    "locale": "en-US",
}


@pytest.fixture(autouse=True)
def _sync_orm_beside_playwright(monkeypatch):
    """Playwright's sync API runs an event loop in the test thread; Django's ORM
    then sees an "async context" although every call here is synchronous."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# Function scope on purpose: a Playwright kept alive across tests changes the
# context Django's connections live in, and later transactional tests lose the
# serialized copy of the migrated data (Wagtail's root page).
@pytest.fixture
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs it (scripts/prepare-machine)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()
        # Connections opened while Playwright ran belong to its context: close
        # them here, or they keep the test database open at the end of the run.
        connections.close_all()


@pytest.fixture
def phone(browser):
    """A phone-sized page that records every console error and page error."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()
