"""Reading a lab's Bundle and checking its signature: the pure parts of the webhook."""

from __future__ import annotations

import base64
import copy
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from integrations.lis.fhir_bundle import MalformedBundle, read_bundle
from integrations.lis.signing import signature, signature_valid, timestamp_fresh
from integrations.simulators.lis import LisSimulator

ISSUED = datetime(2026, 11, 20, 12, 30, tzinfo=UTC)


@pytest.fixture
def bundle() -> dict:
    lab = LisSimulator(seed=3)
    report_id = lab.publish("pt-demo-0001", panel="A09.05.023", issued=ISSUED, push=False)
    return lab.bundle(report_id)


def body(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


def test_signature_is_hmac_of_timestamp_dot_body():
    header = signature(secret="k", timestamp="1700000000", body=b"{}")
    # echo -n '1700000000.{}' | openssl dgst -sha256 -hmac k
    assert header == "sha256=c6ef4734033cee2367414a0939385eca0397754aa7a59716da7463a9298b5146"
    assert signature_valid(secret="k", timestamp="1700000000", body=b"{}", header=header)
    assert not signature_valid(secret="k", timestamp="1700000001", body=b"{}", header=header)
    assert not signature_valid(secret="k", timestamp="1700000000", body=b"{ }", header=header)
    assert not signature_valid(secret="j", timestamp="1700000000", body=b"{}", header=header)
    assert not signature_valid(secret="k", timestamp="1700000000", body=b"{}", header="")


@pytest.mark.parametrize(
    ("sent", "fresh"), [(1000, True), (700, True), (699, False), (1300, True), (1301, False)]
)
def test_the_timestamp_window_holds_both_ways(sent, fresh):
    assert timestamp_fresh(timestamp=str(sent), now=1000.0, window=300) is fresh
    assert not timestamp_fresh(timestamp="soon", now=1000.0, window=300)


def test_an_iso_timestamp_needs_an_offset():
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC).timestamp()
    assert timestamp_fresh(timestamp="2026-11-22T15:04:00+03:00", now=now, window=300)
    assert not timestamp_fresh(timestamp="2026-11-22T15:06:00+03:00", now=now, window=300)
    assert not timestamp_fresh(timestamp="2026-11-22T12:00:00", now=now, window=300)


def test_a_bundle_becomes_a_lab_report_and_its_pdf(bundle):
    content = read_bundle(body(bundle))
    report = content.report
    assert (report.patient_id, report.title) == ("pt-demo-0001", "Глюкоза в крови")
    assert report.issued_at == ISSUED
    assert report.lab_test_id == "lt-A09.05.023"
    (glucose,) = report.observations
    assert (glucose.code, glucose.unit) == ("2345-7", "ммоль/л")
    assert (glucose.ref_low, glucose.ref_high) == (Decimal("4.1"), Decimal("5.9"))
    assert content.document is not None
    assert content.document.content.startswith(b"%PDF")
    assert content.document.external_id == f"{report.external_id}-pdf"


def test_the_subject_identifier_names_the_patient_before_the_reference(bundle):
    report = bundle["entry"][0]["resource"]
    report["subject"] = {
        "reference": "Patient/lab-internal-77",
        "identifier": {"system": "urn:clinic:mis:patient", "value": "pt-demo-0002"},
    }
    assert read_bundle(body(bundle)).report.patient_id == "pt-demo-0002"


def test_a_collection_date_without_time_is_read_on_the_labs_zone(bundle):
    report = bundle["entry"][0]["resource"]
    report["effectiveDateTime"] = "2026-11-20"
    collected = read_bundle(body(bundle), time_zone="Asia/Yekaterinburg").report.collected_at
    assert collected.isoformat() == "2026-11-20T00:00:00+05:00"


def broken(bundle: dict, change) -> bytes:
    data = copy.deepcopy(bundle)
    change(data)
    return body(data)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda d: d["entry"][0]["resource"].pop("subject"), "names no patient"),
        (lambda d: d["entry"][0]["resource"].update(issued="yesterday"), "not a FHIR R4 resource"),
        (lambda d: d["entry"].append(copy.deepcopy(d["entry"][0])), "one DiagnosticReport"),
        (
            lambda d: d["entry"][-1]["resource"].update(contentType="image/png"),
            "not application/pdf",
        ),
        (
            lambda d: d["entry"][-1]["resource"].update(data=base64.b64encode(b"hello").decode()),
            "not a PDF",
        ),
        (lambda d: d["entry"].append({"fullUrl": "x"}), "has no resource"),
    ],
)
def test_what_is_wrong_with_a_bundle_is_said(bundle, change, says):
    with pytest.raises(MalformedBundle, match=says):
        read_bundle(broken(bundle, change))


def test_a_body_in_another_encoding_is_malformed(bundle):
    with pytest.raises(MalformedBundle, match="not JSON"):
        read_bundle(json.dumps(bundle).encode("utf-16"))


@pytest.mark.parametrize(
    ("fhir_status", "stage"),
    [
        ("registered", "preliminary"),
        ("partial", "preliminary"),
        ("preliminary", "preliminary"),
        ("final", "final"),
        ("amended", "corrected"),
        ("corrected", "corrected"),
        ("appended", "corrected"),
    ],
)
def test_the_reports_fhir_status_becomes_its_stage(bundle, fhir_status, stage):
    bundle["entry"][0]["resource"]["status"] = fhir_status
    assert read_bundle(body(bundle)).report.status == stage
