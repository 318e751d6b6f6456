"""The LIS simulator as `manage.py simulate lis`: it serves polling and pushes signed
reports on its own; knobs over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from integrations.lis.models import InboundLabEvent
from integrations.lis.source import FhirLabSource
from integrations.ports import LabSourceUnavailable
from integrations.simulators import registry
from integrations.simulators.lis import LisSimulator, serve
from tests.integrations.test_lis_webhook import make_patient
from tests.polling import wait_for

ROOT = Path(__file__).resolve().parents[2]


def test_registered_for_manage_py_simulate():
    assert registry()["lis"] is LisSimulator


def test_reports_are_deterministic_for_a_seed():
    one, two = LisSimulator(seed=7), LisSimulator(seed=7)
    issued = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    ids = [s.publish("pt-demo-0001", issued=issued, push=False) for s in (one, two)]
    assert one.bundle(ids[0]) == two.bundle(ids[1])
    other = LisSimulator(seed=8)
    other.publish("pt-demo-0001", issued=issued, push=False)
    assert other.bundle(ids[0]) != one.bundle(ids[0])


def test_knobs_over_http_errors_and_latency():
    with serve(initial_reports=2) as lab:
        source = FhirLabSource(name="lab", url=lab.fhir_url, timeout=0.5)
        assert len(source.results_since(datetime.now(UTC) - timedelta(days=1))) == 2
        answer = httpx.post(f"{lab.url}/_sim/knobs", json={"error_rate": 1.0}, timeout=5)
        assert answer.json()["error_rate"] == 1.0
        with pytest.raises(LabSourceUnavailable, match="HTTP 500"):
            source.results_since(datetime.now(UTC))
        httpx.post(f"{lab.url}/_sim/knobs", json={"error_rate": 0, "latency": 1.0}, timeout=5)
        with pytest.raises(LabSourceUnavailable, match="Timeout"):
            source.results_since(datetime.now(UTC))
        bad = httpx.post(f"{lab.url}/_sim/knobs", json={"outage": "refused"}, timeout=5)
        assert bad.status_code == 400


def test_publish_and_correct_over_http():
    with serve() as lab:
        source = FhirLabSource(name="lab", url=lab.fhir_url, timeout=5)
        report_id = httpx.post(f"{lab.url}/_sim/publish", json={}, timeout=5).json()["id"]
        (before,) = source.results_since(datetime.now(UTC) - timedelta(days=1))
        answer = httpx.post(f"{lab.url}/_sim/correct", json={"report_id": report_id}, timeout=5)
        assert answer.json() == {"id": report_id, "status": "corrected"}
        (after,) = source.results_since(datetime.now(UTC) - timedelta(days=1))
        assert (after.external_id, after.status) == (report_id, "corrected")
        assert after.issued_at == before.issued_at + timedelta(hours=1)
        assert [o.value for o in after.observations] != [o.value for o in before.observations]
        missing = httpx.post(f"{lab.url}/_sim/correct", json={"report_id": "nope"}, timeout=5)
        assert missing.status_code == 404


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_manage_py_simulate_lis_pushes_signed_reports_to_the_webhook(
    live_server, settings, closed_port
):
    secret = "process-secret"
    settings.LIS_WEBHOOK_SECRETS = {"demo-lab": secret}
    make_patient()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["LIS_WEBHOOK_SECRETS"] = f"demo-lab={secret}"
    webhook = f"{live_server.url}/integrations/lis/demo-lab/results"
    process = subprocess.Popen(
        [sys.executable, "manage.py", "simulate", "lis", "--port", str(closed_port)]
        + ["--callback-url", webhook, "--callback-delay", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(lambda: InboundLabEvent.objects.count() >= 2, 40, "two pushed events")
        pushes = httpx.get(f"http://127.0.0.1:{closed_port}/_sim/pushes", timeout=5).json()
        assert pushes and all(p["status"] == 202 for p in pushes)
        source = FhirLabSource(name="demo-lab", url=f"http://127.0.0.1:{closed_port}/fhir")
        polled = source.results_since(datetime.now(UTC) - timedelta(hours=1))
        assert {r.external_id for r in polled} >= set(
            InboundLabEvent.objects.values_list("report_external_id", flat=True)
        )
    finally:
        process.terminate()
        process.wait(timeout=20)
