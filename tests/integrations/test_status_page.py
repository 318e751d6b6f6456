"""The integrations status page: sync lag, error rate, outbox depth, circuit state."""

from django.contrib.auth import get_user_model

import pytest

from integrations.circuit import CircuitBreaker
from integrations.mis import get_mis_adapter
from integrations.mis_sync import run_mis_sync
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
    from django.contrib.auth.models import Permission

    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    assert client.get("/admin/integrations/").status_code in (302, 403)
    assert CircuitBreaker.for_system("mis-demo").state == "closed"
