"""The MIS sync runs inside a real Celery worker with beat, on Redis and PostgreSQL."""

import re
from pathlib import Path

from django.core.cache import cache

import pytest

from booking.selectors import people
from catalog.models import Doctor
from clinic_pages.demo import ensure_demo_site
from clinic_pages.models import DoctorPage
from clinic_site.celery import app as celery_app
from integrations.mis.demo import BRANCHES
from integrations.mis.sync import LAST_SYNC_KEY
from tests.polling import wait_for

ROOT = Path(__file__).resolve().parents[2]
WRITTEN = re.compile(r"sync_mis\[[^\]]+\] succeeded in [\d.]+s: \{'written': (\d+)")


def test_beat_runs_the_sync_every_two_to_three_minutes():
    celery_app.loader.import_default_modules()
    entries = [
        e
        for e in celery_app.conf.beat_schedule.values()
        if e["task"] == "integrations.mis.tasks.sync_mis"
    ]
    assert len(entries) == 1
    assert 120 <= entries[0]["schedule"] <= 180


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_with_beat_syncs_then_finds_nothing_to_write(celery_worker):
    ensure_demo_site()
    log = celery_worker("default,mis", env={"MIS_SYNC_INTERVAL": "3"}, beat=True)
    # The worker logs each task's result: the first sync wrote the clinic,
    # a later one (beat runs it every 3 s here) found nothing to write.
    results = lambda: [int(n) for n in WRITTEN.findall(log.read_text())]  # noqa: E731
    wait_for(lambda: results() and results()[0] > 0, 90, "the first sync", log=log)
    assert Doctor.objects.count() >= 40
    # The catalog signal ran in the worker too: every doctor got a page (rooms get none).
    assert DoctorPage.objects.count() == people().count() == Doctor.objects.count() - len(BRANCHES)
    wait_for(lambda: 0 in results()[1:], 60, "a sync that writes nothing", log=log)
    assert cache.get(LAST_SYNC_KEY)["written"] == 0
