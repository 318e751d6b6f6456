"""The LIS webhook over real HTTP: the simulator pushes signed Bundles to the live
server, a real Celery worker stores them in the cabinet."""

from __future__ import annotations

import json
import time
from datetime import date

import httpx
import pytest

from cabinet.accounts.models import Patient
from cabinet.records.models import Document, LabReport
from integrations.lis.models import InboundLabEvent
from integrations.lis.signing import signature
from integrations.simulators.lis import serve
from integrations.sms.models import SmsDelivery
from tests.polling import wait_for

SECRET = "lab-a-test-secret"
TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def webhook_url(live_server, settings) -> str:
    settings.LIS_WEBHOOK_SECRETS = {"lab-a": SECRET}
    settings.LIS_WEBHOOK_WINDOW_SECONDS = 300
    return f"{live_server.url}/integrations/lis/lab-a/results"


@pytest.fixture
def lab(webhook_url):
    simulator = serve(lab="lab-a", secret=SECRET, push_url=webhook_url, push_attempts=1)
    yield simulator
    simulator.stop()


def make_patient(mis_id: str = "pt-demo-0001") -> Patient:
    return Patient.objects.create(
        mis_id=mis_id,
        last_name="Демонстрационная",
        first_name="Пациентка",
        birth_date=date(1985, 4, 12),
        sex="female",
        phone="+79990000001",
    )


def processed_after(lab, log) -> None:
    """Publish one more report and wait until the worker (one process, one
    queue, in order) has processed it: a barrier behind earlier deliveries."""
    later = lab.publish("pt-demo-0001")
    wait_for(
        lambda: InboundLabEvent.objects.filter(
            event_id=f"evt-{later}", status="processed"
        ).exists(),
        60,
        "the later report",
        log=log,
    )


def post(url: str, body: bytes, *, secret: str = SECRET, timestamp: str | None = None, **headers):
    timestamp = timestamp or str(int(time.time()))
    signed = {
        "X-Event-Id": "evt-manual-1",
        "X-Timestamp": timestamp,
        "X-Signature": signature(secret=secret, timestamp=timestamp, body=body),
        "Content-Type": "application/fhir+json",
    }
    return httpx.post(url, content=body, headers={**signed, **headers}, timeout=10)


@pytest.mark.worker
@TRANSACTIONAL
def test_a_signed_push_is_stored_once_for_the_patient_and_told_once(lab, celery_worker):
    patient = make_patient()
    log = celery_worker("lis")
    report_id = lab.publish("pt-demo-0001", panel="B03.016.003")
    assert [p.status for p in lab.pushes] == [202]
    assert json.loads(lab.pushes[0].body) == {"event": f"evt-{report_id}", "status": "accepted"}

    stored = wait_for(
        lambda: LabReport.objects.filter(patient=patient, external_id=report_id).first(),
        60,
        "the worker to store the report",
        log=log,
    )
    assert stored.source == "lis"
    assert stored.title == "Общий анализ крови с лейкоцитарной формулой"
    results = list(stored.results.all())
    assert [r.code for r in results] == ["718-7", "789-8", "6690-2", "777-3", "4544-3", "30341-2"]
    # Every analyte came with the lab's range, so every one has a flag.
    assert all(r.flag in {"normal", "low", "high", "critical"} for r in results)
    expected = {o["code"]["coding"][0]["code"]: o for o in lab.report(report_id).observations}
    for result in results:
        value = expected[result.code]["valueQuantity"]["value"]
        low = expected[result.code]["referenceRange"][0]["low"]["value"]
        high = expected[result.code]["referenceRange"][0]["high"]["value"]
        assert (result.flag == "normal") == (low <= value <= high), result.code
    pdf = Document.objects.get(patient=patient, external_id=f"{report_id}-pdf")
    with pdf.file.open("rb") as handle:
        assert handle.read().startswith(b"%PDF")
    event = InboundLabEvent.objects.get(lab="lab-a", event_id=f"evt-{report_id}")
    assert (event.status, event.attempts, event.patient_mis_id) == ("processed", 1, "pt-demo-0001")
    assert json.loads(event.body)["resourceType"] == "Bundle"  # kept, decrypted on read
    # The signal went out once: its receiver queued exactly one "results ready" SMS.
    sms = wait_for(
        lambda: list(SmsDelivery.objects.filter(purpose="lab_results")), 10, "the SMS", log=log
    )
    assert [(s.phone, s.purpose) for s in sms] == [("+79990000001", "lab_results")]

    # The lab corrects the report: a delivery of its own replaces the values.
    lab.correct(report_id)
    assert [p.status for p in lab.pushes] == [202, 202]
    wait_for(
        lambda: LabReport.objects.get(pk=stored.pk).status == "corrected",
        60,
        "the worker to store the correction",
        log=log,
    )
    sent = {
        o["code"]["coding"][0]["code"]: o["valueQuantity"]["value"]
        for o in lab.report(report_id).observations
    }
    assert {r.code: float(r.numeric) for r in stored.results.all()} == sent
    assert LabReport.objects.filter(patient=patient).count() == 1

    # The lab delivers the same event again (it never saw our answer): 202, nothing new.
    again = lab.push(report_id)
    assert [(p.status, json.loads(p.body)["status"]) for p in again] == [(202, "duplicate")]
    # A later report through the same one-process worker: once it is stored,
    # anything the duplicate could have set off has run.
    processed_after(lab, log)
    assert LabReport.objects.filter(patient=patient).count() == 2  # the later one only
    assert LabReport.objects.filter(patient=patient, external_id=report_id).count() == 1
    assert SmsDelivery.objects.filter(purpose="lab_results").count() == 2
    assert InboundLabEvent.objects.get(pk=event.pk).attempts == 1


@pytest.mark.worker
@TRANSACTIONAL
def test_racing_duplicate_deliveries_make_one_event_and_one_report(lab, celery_worker):
    patient = make_patient()
    log = celery_worker("lis")
    lab.set_knobs(duplicate=5)  # six copies of the push at the same moment
    report_id = lab.publish("pt-demo-0001")
    assert len(lab.pushes) == 6
    assert {p.status for p in lab.pushes} == {202}
    statuses = sorted(json.loads(p.body)["status"] for p in lab.pushes)
    assert statuses == ["accepted"] + ["duplicate"] * 5
    assert InboundLabEvent.objects.filter(lab="lab-a").count() == 1
    wait_for(
        lambda: InboundLabEvent.objects.filter(status="processed").exists(),
        60,
        "processing",
        log=log,
    )
    assert LabReport.objects.filter(patient=patient, external_id=report_id).count() == 1
    lab.set_knobs(duplicate=0)
    processed_after(lab, log)  # what the copies could have set off has run
    assert LabReport.objects.filter(patient=patient, external_id=report_id).count() == 1
    assert SmsDelivery.objects.filter(purpose="lab_results").count() == 2  # one per report


@pytest.mark.worker
@TRANSACTIONAL
def test_a_report_for_an_unknown_patient_is_kept_as_a_failed_event(lab, celery_worker):
    make_patient("pt-demo-0001")
    log = celery_worker("lis")
    report_id = lab.publish("pt-demo-0003")
    assert [p.status for p in lab.pushes] == [202]
    event = wait_for(
        lambda: InboundLabEvent.objects.filter(status="failed").first(), 60, "the failure", log=log
    )
    assert event.event_id == f"evt-{report_id}"
    assert "pt-demo-0003" in event.error
    assert event.patient_mis_id == "pt-demo-0003"
    assert json.loads(event.body)["entry"][0]["resource"]["id"] == report_id
    assert not LabReport.objects.exists()
    assert not SmsDelivery.objects.exists()


def refused_and_nothing_stored(pushes, status: int) -> None:
    assert [p.status for p in pushes] == [status]
    assert "error" in json.loads(pushes[0].body)
    assert not InboundLabEvent.objects.exists()
    assert not LabReport.objects.exists()


@TRANSACTIONAL
def test_a_wrong_signature_is_refused_401(lab):
    make_patient()
    lab.set_knobs(wrong_signature=True)
    lab.publish("pt-demo-0001")
    refused_and_nothing_stored(lab.pushes, 401)


@TRANSACTIONAL
def test_a_stale_timestamp_is_refused_401_even_when_signed(lab):
    make_patient()
    lab.set_knobs(stale_timestamp=True)  # an hour old, correctly signed
    lab.publish("pt-demo-0001")
    refused_and_nothing_stored(lab.pushes, 401)


@TRANSACTIONAL
def test_a_timestamp_from_the_future_is_refused_too(webhook_url):
    body = json.dumps({"resourceType": "Bundle", "type": "collection", "entry": []}).encode()
    ahead = str(int(time.time()) + 900)  # well past the 300 s window, however slow the request
    response = post(webhook_url, body, timestamp=ahead)
    assert response.status_code == 401
    assert not InboundLabEvent.objects.exists()


@TRANSACTIONAL
def test_an_unknown_lab_is_404(lab, live_server):
    make_patient()
    report_id = lab.publish("pt-demo-0001", push=False)
    pushes = lab.push(report_id, url=f"{live_server.url}/integrations/lis/lab-z/results")
    refused_and_nothing_stored(pushes, 404)


@TRANSACTIONAL
@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"{not json", "not JSON"),
        (b'{"resourceType": "Patient", "id": "x"}', "not a FHIR Bundle"),
        (b'{"resourceType": "Bundle", "type": "collection", "entry": []}', "one DiagnosticReport"),
    ],
)
def test_a_malformed_body_is_400_with_a_clear_error(webhook_url, body, says):
    response = post(webhook_url, body)
    assert response.status_code == 400
    assert says in response.json()["error"]
    assert not InboundLabEvent.objects.exists()


@TRANSACTIONAL
def test_a_report_whose_analytes_are_missing_is_400_and_not_stored(lab, webhook_url):
    make_patient()
    report_id = lab.publish("pt-demo-0001", push=False)
    bundle = lab.bundle(report_id)
    bundle["entry"] = [e for e in bundle["entry"] if e["resource"]["resourceType"] != "Observation"]
    response = post(webhook_url, json.dumps(bundle).encode())
    assert response.status_code == 400
    assert "not in the Bundle" in response.json()["error"]
    assert not InboundLabEvent.objects.exists()


@TRANSACTIONAL
def test_a_missing_event_id_is_400_and_get_is_405(webhook_url, lab):
    report_id = lab.publish("pt-demo-0001", push=False)
    body = json.dumps(lab.bundle(report_id)).encode()
    assert post(webhook_url, body, **{"X-Event-Id": ""}).status_code == 400
    assert httpx.get(webhook_url, timeout=10).status_code == 405
    assert not InboundLabEvent.objects.exists()
