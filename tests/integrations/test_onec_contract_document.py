"""Our 1С:Медицина contract, published for a clinic's 1C developer
(docs/integrations/onec-clinic-v1.openapi.yaml), is the one the platform
speaks: the 1C simulator, which the adapter passes the conformance suite
against, answers every operation of the document as the document says
(schemathesis: requests that fit the document, answers checked against it)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from integrations.mis.onec import OnecMis
from tests.integrations.mis_systems import start_simulator

DOCUMENT = Path(__file__).resolve().parents[2] / "docs/integrations/onec-clinic-v1.openapi.yaml"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_path(
    str(DOCUMENT),
    config=schemathesis.Config.from_dict(
        {
            "seed": 2026,
            "generation": {
                "mode": "positive",
                "max-examples": 8,
                "deterministic": True,
                "database": "none",
            },
        }
    ),
)


@pytest.fixture(scope="module")
def onec():
    simulator = start_simulator("onec")
    yield simulator
    simulator.stop()


@schema.parametrize()
def test_the_simulator_answers_as_the_published_document_says(case, onec):
    login = base64.b64encode(f"{onec.user}:{onec.password}".encode()).decode()
    response = case.call(
        base_url=onec.url + "/hs/clinic/v1", headers={"Authorization": f"Basic {login}"}
    )
    case.validate_response(response, checks=CHECKS)


def test_the_document_has_every_resource_the_adapter_uses():
    source = Path(OnecMis.__module__.replace(".", "/") + ".py")
    text = (Path(__file__).resolve().parents[2] / source).read_text()
    paths = set(schema.raw_schema["paths"])
    for resource in ("info", "branches", "specialties", "services", "doctors", "schedule"):
        assert f'"{resource}"' in text and f"/{resource}" in paths
    for resource in ("free-slots", "patients", "appointments"):
        assert f"/{resource}" in paths
    assert "/appointments/{id}" in paths
