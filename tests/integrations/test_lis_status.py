"""The LIS on the integrations status page and in the Django admin."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

import pytest

from integrations.lis.models import InboundLabEvent, LabPollCursor

pytestmark = pytest.mark.django_db


@pytest.fixture
def it_admin(client):
    user = get_user_model().objects.create_superuser("it", password="x-long-password-1")
    client.force_login(user)
    return client


def event(number: int, status: str, **extra) -> InboundLabEvent:
    return InboundLabEvent.objects.create(
        lab="lab-a", event_id=f"evt-{number}", status=status, body="{}", **extra
    )


def lis_row(html: str) -> str:
    start = html.index('data-system="LIS"')
    return html[start : html.index("</tr>", start)]


def test_the_status_page_shows_events_failures_and_the_poll_lag(it_admin, settings):
    settings.LIS_WEBHOOK_SECRETS = {"lab-a": "x"}
    settings.LIS_POLL_SOURCES = {"lab-b": "http://127.0.0.1:9/fhir"}
    event(1, "processed", processed_at=timezone.now())
    event(2, "failed", error="no cabinet patient with MIS id 'pt-x'")
    event(3, "received")
    LabPollCursor.objects.create(
        lab="lab-b", since=timezone.now(), last_success_at=timezone.now() - timedelta(seconds=95)
    )
    row = lis_row(it_admin.get("/admin/integrations/").content.decode())
    assert "LIS: lab-a, lab-b" in row
    assert "(1/3)" in row  # one failed of three events in 24 hours
    assert "<td data-queue>1</td>" in row
    lag = int(row.split("<td>")[3].split()[0])
    assert 95 <= lag < 120


def test_no_poll_lag_until_every_polled_lab_had_a_good_poll(it_admin, settings):
    settings.LIS_POLL_SOURCES = {"lab-b": "http://127.0.0.1:9/fhir"}
    LabPollCursor.objects.create(lab="lab-b", since=timezone.now(), last_error="HTTP 503")
    row = lis_row(it_admin.get("/admin/integrations/").content.decode())
    assert row.split("<td>")[3].startswith("—")


def test_failed_events_are_listed_in_the_admin_without_their_body(it_admin):
    event(
        7,
        "failed",
        error="no cabinet patient with MIS id 'pt-demo-0003'",
        patient_mis_id="pt-demo-0003",
    )
    html = it_admin.get("/django-admin/lis/inboundlabevent/?status__exact=failed").content.decode()
    assert "evt-7" in html
    assert "pt-demo-0003" in html
    detail = it_admin.get(
        f"/django-admin/lis/inboundlabevent/{InboundLabEvent.objects.get().pk}/change/"
    ).content.decode()
    assert 'name="body"' not in detail


def test_process_again_requeues_failed_webhook_events(it_admin, django_capture_on_commit_callbacks):
    failed = event(8, "failed", error="boom")
    done = event(9, "processed")
    with django_capture_on_commit_callbacks() as callbacks:
        it_admin.post(
            "/django-admin/lis/inboundlabevent/",
            {"action": "process_again", "_selected_action": [failed.pk, done.pk]},
        )
    failed.refresh_from_db()
    done.refresh_from_db()
    assert (failed.status, failed.error) == ("received", "")
    assert done.status == "processed"
    assert len(callbacks) == 1
