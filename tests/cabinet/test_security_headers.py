"""CSP: the site allows no inline script; no template carries one; the admin
alone may run Wagtail's inline scripts."""

import re
from pathlib import Path

import pytest

from tests.cabinet.conftest import verified_login, verified_staff_login

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")")
HANDLER = re.compile(r"\son[a-z]+\s*=|javascript:", re.IGNORECASE)


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_the_cabinet_and_public_pages_forbid_inline_script(client, patient_user):
    for url in ("/cabinet/login/", "/cabinet/register/", "/healthz"):
        directives = policy(client.get(url))
        assert directives["script-src"] == ["'self'"]
        assert directives["object-src"] == ["'none'"]
        assert "'unsafe-eval'" not in " ".join(directives["script-src"])
    verified_login(client, patient_user)
    assert policy(client.get("/cabinet/notifications/"))["script-src"] == ["'self'"]


def test_only_the_admin_allows_its_own_inline_scripts(client, admin_user):
    verified_staff_login(client, admin_user)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "'unsafe-inline'" in policy(response)["script-src"]


def test_no_template_or_static_page_has_inline_script_or_handlers():
    offenders = []
    for path in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/templates/**/*.html")]:
        if ".venv" in path.parts or "node_modules" in path.parts:
            continue
        text = path.read_text()
        if INLINE_SCRIPT.search(text) or HANDLER.search(text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_the_json_ld_block_is_data_not_script():
    assert not INLINE_SCRIPT.search('<script type="application/ld+json">{}</script>')
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert HANDLER.search('<button onclick="x()">')
