"""The integrations status page: sync lag, error rate, outbox depth, circuit state."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

import pytest

from integrations.mis import get_mis_adapter
from integrations.mis.sync import run_mis_sync
from integrations.models import OutboxMessage
from integrations.ports import MisUnavailable

pytestmark = pytest.mark.django_db


@pytest.fixture
def it_admin(client):
    user = get_user_model().objects.create_superuser("it", password="x-long-password-1")
    client.force_login(user)
    return client


def test_shows_each_system(it_admin, settings, tmp_path):
    settings.MIS_DEMO_STORE = str(tmp_path / "mis.sqlite3")
    run_mis_sync(adapter=get_mis_adapter(), days=2)
    OutboxMessage.objects.create(topic="mis.book", key="k1", payload={})
    OutboxMessage.objects.create(topic="mis.book", key="k2", payload={}, status="failed")
    settings.CIRCUIT_FAILURES = 2
    settings.MIS_DEMO_OUTAGE = True
    mis = get_mis_adapter()
    for _ in range(2):
        with pytest.raises(MisUnavailable):
            mis.ping()
    html = it_admin.get("/admin/integrations/").content.decode()
    row = html[
        html.index('data-system="MIS"') : html.index("</tr>", html.index('data-system="MIS"'))
    ]
    assert "demo" in row
    assert "<td data-queue>1</td>" in row
    assert "<td data-circuit>open</td>" in row
    assert "(2/9)" in row  # 7 calls of the sync went well (lab catalog too), 2 pings failed
    assert 'data-system="SMS"' in html


def test_only_for_superusers(client):
    editor = get_user_model().objects.create_user("ed", password="x-long-password-1", is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    # Wagtail answers a refused admin page with a redirect to the admin's home.
    refused = client.get("/admin/integrations/")
    assert refused.status_code == 302
    assert refused.url == reverse("wagtailadmin_home")
    home = client.get(refused.url).content.decode()
    assert 'data-system="MIS"' not in home
    assert 'href="/admin/integrations/"' not in home  # nor in the editor's menu
