"""The MIS sync: catalog and schedule mirrored, only differences written."""

from dataclasses import replace
from datetime import UTC
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from booking.models import ScheduleInterval
from catalog.models import Branch, Doctor, Service, Specialty
from integrations.mis.demo import DemoMis
from integrations.mis.sync import run_mis_sync

WRITES = ("INSERT", "UPDATE", "DELETE")

pytestmark = pytest.mark.django_db


def writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


def test_first_sync_fills_catalog_and_schedule(demo_mis):
    report = run_mis_sync(adapter=demo_mis)
    assert Branch.objects.count() == 3
    assert Specialty.objects.count() == len(demo_mis.specialties())
    assert Service.objects.count() == len(demo_mis.services())
    assert Doctor.objects.count() == len(demo_mis.doctors())
    therapist = Doctor.objects.get(external_id="dr-047-1")
    assert therapist.specialties.get().name == "Терапия"
    assert therapist.services.filter(code="B01.047.001").exists()
    assert ScheduleInterval.objects.filter(kind="work").count() > 500
    assert ScheduleInterval.objects.filter(kind="break").exists()
    assert ScheduleInterval.objects.filter(kind="busy").exists()
    assert report.written == (
        sum(c.written for c in report["catalog"].counts.values()) + report["schedule"].created
    )


def test_schedule_is_stored_in_utc_and_means_the_branch_clock(demo_mis):
    run_mis_sync(adapter=demo_mis)
    ekb = ScheduleInterval.objects.filter(kind="work", branch__external_id="br-ekb")
    assert ekb.exists()
    with connection.cursor() as cursor:
        cursor.execute("SHOW TIME ZONE")
    for row in ekb:
        assert row.start.utcoffset().total_seconds() == 0 and row.start.tzinfo == UTC
        # Shifts begin at 08, 09 or 14; the procedure room opens at 07:30.
        assert row.start.astimezone(ZoneInfo("Asia/Yekaterinburg")).hour in {7, 8, 9, 14}


def test_second_sync_writes_nothing(demo_mis):
    run_mis_sync(adapter=demo_mis)
    with CaptureQueriesContext(connection) as queries:
        report = run_mis_sync(adapter=demo_mis)
    assert report.written == 0
    assert writes(queries.captured_queries) == []


class ChangedDemoMis(DemoMis):
    """The same clinic a moment later: a price changed, a doctor left."""

    def services(self):
        return [
            replace(s, price=Decimal("9999")) if s.external_id == "sv-B01.047.001" else s
            for s in super().services()
        ]

    def doctors(self):
        return [d for d in super().doctors() if d.external_id != "dr-015-1"]


def test_a_change_in_the_mis_writes_only_that_change(demo_mis):
    run_mis_sync(adapter=demo_mis)
    report = run_mis_sync(adapter=ChangedDemoMis(seed=2026))
    assert report["catalog"].counts["service"].updated == 1
    assert report["catalog"].counts["service"].created == 0
    assert report["catalog"].counts["doctor"].deactivated == 1
    assert report["catalog"].counts["doctor"].updated == 0
    assert Service.objects.get(external_id="sv-B01.047.001").price == Decimal("9999")
    gone = Doctor.objects.get(external_id="dr-015-1")
    assert not gone.is_active
    # The departed doctor's schedule is no longer offered.
    assert report["schedule"].deleted > 0
    assert not ScheduleInterval.objects.filter(doctor=gone).exists()
    assert {doctor_id for doctor_id, _day in report["schedule"].changed_doctor_days} == {gone.pk}


def test_a_returning_doctor_is_reactivated(demo_mis):
    run_mis_sync(adapter=ChangedDemoMis(seed=2026))
    run_mis_sync(adapter=demo_mis)
    assert Doctor.objects.filter(is_active=False).count() == 0
