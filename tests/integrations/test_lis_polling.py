"""Polling a lab without webhooks: reports since the cursor, stored once; outages
leave the cursor and the next poll catches up. The lab is the LIS simulator over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from cabinet.audit.models import AuditRecord
from cabinet.records.models import LabReport
from clinic_site.celery import app as celery_app
from integrations.lis import services
from integrations.lis.models import InboundLabEvent, LabPollCursor
from integrations.lis.signals import lab_report_arrived
from integrations.lis.source import FhirLabSource
from integrations.ports import LabResultSource
from integrations.simulators.lis import serve
from tests.integrations.test_lis_webhook import make_patient
from tests.polling import wait_for

HOUR = timedelta(hours=1)


@pytest.fixture
def lab():
    simulator = serve(lab="lab-b")
    yield simulator
    simulator.stop()


@pytest.fixture
def polled(lab, settings):
    settings.LIS_POLL_SOURCES = {"lab-b": lab.fhir_url}
    settings.LIS_POLL_FIRST_DAYS = 30
    return lab


@pytest.fixture
def arrivals():
    seen = []

    def listen(sender, *, patient, report, **_kwargs):
        seen.append((patient.mis_id, report.external_id))

    lab_report_arrived.connect(listen, dispatch_uid="test-lis-polling")
    yield seen
    lab_report_arrived.disconnect(dispatch_uid="test-lis-polling")


def poll(capture) -> services.PollOutcome:
    with capture(execute=True):
        return services.poll_lab(lab="lab-b")


def cursor() -> LabPollCursor:
    return LabPollCursor.objects.get(lab="lab-b")


def test_the_fhir_source_is_a_lab_result_source(lab):
    assert isinstance(FhirLabSource(name="lab-b", url=lab.fhir_url), LabResultSource)


@pytest.mark.django_db
def test_reports_since_the_cursor_are_stored_once_and_the_cursor_advances(
    polled, arrivals, django_capture_on_commit_callbacks
):
    patient = make_patient()
    now = datetime.now(UTC).replace(microsecond=0)
    first = polled.publish("pt-demo-0001", issued=now - 3 * HOUR)
    second = polled.publish("pt-demo-0001", issued=now - 2 * HOUR)

    outcome = poll(django_capture_on_commit_callbacks)
    assert (outcome.ok, outcome.found, outcome.stored, outcome.failed) == (True, 2, 2, 0)
    assert set(patient.lab_reports.values_list("external_id", flat=True)) == {first, second}
    assert all(r.results.exists() for r in patient.lab_reports.all())
    assert cursor().since == now - 2 * HOUR
    assert sorted(arrivals) == [("pt-demo-0001", first), ("pt-demo-0001", second)]

    # Asking again from the cursor finds the newest one again: nothing stored twice.
    again = poll(django_capture_on_commit_callbacks)
    assert (again.ok, again.found, again.stored) == (True, 1, 0)
    assert LabReport.objects.count() == 2
    assert len(arrivals) == 2

    third = polled.publish("pt-demo-0001", issued=now - HOUR)
    later = poll(django_capture_on_commit_callbacks)
    assert (later.found, later.stored) == (2, 1)
    assert cursor().since == now - HOUR
    assert arrivals[-1] == ("pt-demo-0001", third)
    assert InboundLabEvent.objects.filter(channel="poll", status="processed").count() == 3


@pytest.mark.django_db
def test_a_corrected_report_replaces_the_stored_one_at_the_next_poll(
    polled, django_capture_on_commit_callbacks
):
    patient = make_patient()
    now = datetime.now(UTC).replace(microsecond=0)
    report_id = polled.publish("pt-demo-0001", issued=now - 3 * HOUR)
    poll(django_capture_on_commit_callbacks)
    stored = patient.lab_reports.get(external_id=report_id)
    before = [r.numeric for r in stored.results.all()]

    polled.correct(report_id)
    poll(django_capture_on_commit_callbacks)
    stored.refresh_from_db()
    sent = [
        Decimal(str(o["valueQuantity"]["value"])) for o in polled.report(report_id).observations
    ]
    assert stored.status == "corrected" and stored.issued_at == now - 2 * HOUR
    assert [r.numeric for r in stored.results.all()] == sent != before
    assert patient.lab_reports.count() == 1
    assert InboundLabEvent.objects.filter(channel="poll", status="processed").count() == 2
    assert AuditRecord.objects.filter(object_id=str(stored.pk), action="update").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("outage", ["503", "refused"])
def test_an_outage_leaves_the_cursor_and_the_next_poll_catches_up(
    polled, arrivals, django_capture_on_commit_callbacks, outage
):
    make_patient()
    now = datetime.now(UTC).replace(microsecond=0)
    polled.publish("pt-demo-0001", issued=now - 3 * HOUR)
    assert poll(django_capture_on_commit_callbacks).stored == 1
    before = cursor()

    polled.set_knobs(outage=outage)
    missed = [polled.publish("pt-demo-0001", issued=now - h * HOUR) for h in (2, 1)]
    failed = poll(django_capture_on_commit_callbacks)
    assert (failed.ok, failed.unavailable) == (False, True)
    assert failed.error.startswith("lab-b:")
    after = cursor()
    assert after.since == before.since
    assert after.last_success_at == before.last_success_at
    assert after.last_error == failed.error
    assert LabReport.objects.count() == 1

    polled.set_knobs(outage="")
    caught_up = poll(django_capture_on_commit_callbacks)
    assert (caught_up.ok, caught_up.stored) == (True, 2)
    assert set(LabReport.objects.values_list("external_id", flat=True)) >= set(missed)
    assert cursor().since == now - HOUR
    assert cursor().last_error == ""
    assert [report for _, report in arrivals[1:]] == missed


@pytest.mark.django_db
def test_a_polled_report_for_an_unknown_patient_is_kept_failed(
    polled, django_capture_on_commit_callbacks
):
    make_patient("pt-demo-0001")
    report_id = polled.publish("pt-demo-0004", issued=datetime.now(UTC) - HOUR)
    outcome = poll(django_capture_on_commit_callbacks)
    assert (outcome.ok, outcome.stored, outcome.failed) == (True, 0, 1)
    event = InboundLabEvent.objects.get(lab="lab-b", event_id__startswith=f"poll:{report_id}:")
    assert (event.status, event.channel) == ("failed", "poll")
    assert "pt-demo-0004" in event.error
    assert report_id in event.body
    assert not LabReport.objects.exists()


@pytest.mark.django_db
def test_the_first_poll_looks_back_the_configured_days(polled, django_capture_on_commit_callbacks):
    make_patient()
    now = datetime.now(UTC)
    old = polled.publish("pt-demo-0001", issued=now - timedelta(days=40))
    recent = polled.publish("pt-demo-0001", issued=now - timedelta(days=10))
    poll(django_capture_on_commit_callbacks)
    assert list(LabReport.objects.values_list("external_id", flat=True)) == [recent]
    assert old not in InboundLabEvent.objects.values_list("report_external_id", flat=True)


def test_a_poll_that_met_an_outage_is_retried_with_growing_jittered_delays(settings):
    settings.LIS_POLL_INTERVAL = 300
    for retries, (low, high) in enumerate([(5, 10), (10, 20), (20, 40), (40, 80), (75, 150)]):
        delays = {services.poll_retry_delay(retries) for _ in range(20)}
        assert all(low <= d <= high for d in delays)
        assert len(delays) > 1


def test_beat_polls_each_configured_lab(settings):
    celery_app.loader.import_default_modules()
    tasks = [e["task"] for e in celery_app.conf.beat_schedule.values()]
    assert "integrations.lis.tasks.process_stale_lab_events" in tasks
    assert settings.CELERY_TASK_ROUTES["integrations.lis.tasks.poll_lab"] == {"queue": "lis"}
    assert "lis" in settings.WORKER_QUEUES


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_with_beat_polls_the_lab_and_stores_new_reports(lab, celery_worker):
    patient = make_patient()
    first = lab.publish("pt-demo-0001", issued=datetime.now(UTC) - HOUR)
    log = celery_worker(
        "lis",
        env={"LIS_POLL_SOURCES": f"lab-b={lab.fhir_url}", "LIS_POLL_INTERVAL": "2"},
        beat=True,
    )
    wait_for(lambda: patient.lab_reports.filter(external_id=first).exists(), 60, "a poll", log=log)
    second = lab.publish("pt-demo-0001")
    wait_for(
        lambda: patient.lab_reports.filter(external_id=second).exists(), 30, "next poll", log=log
    )
    polled = lab.polls
    wait_for(lambda: lab.polls >= polled + 2, 30, "two more polls", log=log)  # nothing twice
    assert patient.lab_reports.count() == 2
    assert InboundLabEvent.objects.filter(lab="lab-b").count() == 2
    assert LabPollCursor.objects.get(lab="lab-b").last_success_at is not None
