"""Lab tests and check-up programs mirrored from the MIS, only differences written."""

from dataclasses import replace
from decimal import Decimal

import pytest

from catalog.models import CheckupProgram, LabTest
from catalog.sync import sync_catalog
from integrations.mis.demo import DemoMis
from integrations.ports import LabCatalogSource

pytestmark = pytest.mark.django_db


class RepricedLab(DemoMis):
    """The same MIS after the lab raised one price and dropped a program's test."""

    def lab_tests(self):
        return [
            replace(t, price=Decimal("700")) if t.code == "B03.016.002" else t
            for t in super().lab_tests()
        ]

    def checkup_programs(self):
        return [
            replace(p, lab_test_ids=p.lab_test_ids[1:]) if p.external_id == "cp-heart" else p
            for p in super().checkup_programs()
        ]


def test_lab_catalog_is_synced_and_then_only_changes_are_written(demo_mis):
    assert isinstance(demo_mis, LabCatalogSource)
    first = sync_catalog(adapter=demo_mis)
    assert first.counts["lab_test"].created == LabTest.objects.count() == 16
    assert first.counts["checkup_program"].created == CheckupProgram.objects.count() == 3
    heart = CheckupProgram.objects.get(external_id="cp-heart")
    assert heart.lab_tests.count() == 4 and heart.services.count() == 3
    test = LabTest.objects.get(code="B03.016.002")
    assert (test.biomaterial, test.turnaround_days) == ("венозная кровь", 1)

    assert sync_catalog(adapter=demo_mis).written == 0

    changed = sync_catalog(adapter=RepricedLab(seed=2026))
    assert changed.counts["lab_test"].updated == 1
    assert changed.counts["checkup_program"].links_removed == 1
    assert changed.written == 2
    assert LabTest.objects.get(code="B03.016.002").price == Decimal("700")
