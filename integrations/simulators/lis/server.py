"""The LIS simulator's lab: synthetic reports, a FHIR search endpoint, signed pushes.

Protocol (assumed, ../shared/INTEGRATIONS.md «LIS»):
  GET  /fhir/DiagnosticReport?_lastUpdated=ge<instant>[&_include=DiagnosticReport:result]
       -> a searchset Bundle of the reports changed since then (polling)
  GET  /fhir/metadata -> a CapabilityStatement
  push: POST <push_url> with a Bundle (DiagnosticReport + Observations + a PDF
       Binary), headers X-Event-Id, X-Timestamp, X-Signature: sha256=<HMAC>;
       repeated with backoff until it is answered 2xx (the real lab keeps
       trying for 24 h; here `push_attempts` tries).
Knobs (constructor keywords, `set_knobs()`, or GET/POST /_sim/knobs as JSON):
  latency          seconds before every answer and every push
  error_rate       share of polling answers that are HTTP 500 (seeded)
  outage           "" | "503" | "refused" (the port closed; in-process only)
  duplicate        extra copies of every push, sent at the same moment (a race)
  stale_timestamp  pushes carry a timestamp an hour old
  wrong_signature  pushes are signed with the wrong key
  push_attempts    tries per push before giving up
Inspection: GET /_sim/pushes; POST /_sim/publish {"patient_id": ...} adds a
report (and pushes it when push_url is set); POST /_sim/correct {"report_id": ...}
corrects one (new values, status "corrected", pushed as a delivery of its own);
POST /_sim/reset: the lab as it started.
"""

from __future__ import annotations

import base64
import json
import random
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import Message
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import httpx
from fpdf import FPDF

from integrations.lis.signing import signature
from integrations.protocols.fhir import NOMENCLATURE
from integrations.simulators import register
from integrations.simulators._threaded import Reply, ThreadedSimulator
from integrations.simulators.fhir.labs import _PANELS, _observations

FHIR_JSON = "application/fhir+json"
LAB_ZONE = ZoneInfo("Europe/Moscow")
# Who gets reports at start and when publishing without a patient: demo patients.
DEMO_PATIENTS = ("pt-demo-0001", "pt-demo-0002", "pt-demo-0003", "pt-demo-0004")


@dataclass
class LisKnobs:
    latency: float = 0.0
    error_rate: float = 0.0
    outage: str = ""
    duplicate: int = 0
    stale_timestamp: bool = False
    wrong_signature: bool = False
    push_attempts: int = 3


@dataclass
class Push:
    """One delivery attempt of a push: what our endpoint answered (0: no answer)."""

    event_id: str
    report_id: str
    attempt: int
    status: int
    body: str = ""


@dataclass
class _Report:
    resource: dict
    observations: list[dict]
    updated: datetime
    pdf: bytes = field(repr=False, default=b"")


@register("lis")
class LisSimulator(ThreadedSimulator):
    knobs_class = LisKnobs
    unavailable = Reply.json({"error": "Service Unavailable"}, 503, FHIR_JSON)

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        lab: str = "demo-lab",
        secret: str | None = None,
        push_url: str = "",
        push_interval: float = 30.0,
        initial_reports: int = 0,
        seed: int = 2026,
        # `manage.py simulate` speaks of callbacks: here they are the pushes.
        callback_url: str | None = None,
        callback_delay: float | None = None,
        error_code: int | None = None,  # noqa: ARG002 - not a knob of this simulator
        delivery: str | None = None,  # noqa: ARG002
        **knobs: Any,
    ):
        self.lab = lab
        self._secret = secret
        self.push_url = callback_url or push_url
        self.push_interval = callback_delay or push_interval
        self.seed = seed
        self.initial_reports = initial_reports
        super().__init__(host=host, port=port, **knobs)
        self.reset()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def fhir_url(self) -> str:
        return f"{self.url}/fhir"

    def serve_forever(self) -> None:
        """Serve until `stop()`; with a push URL, publish and push a report every interval."""
        self.start()
        while not self._stopped.wait(self.push_interval if self.push_url else 3600):
            if self.push_url:
                self.publish(DEMO_PATIENTS[len(self.reports) % len(DEMO_PATIENTS)])

    def reset(self) -> None:
        """The lab as it started: its knobs, its first reports, no push made, no poll seen."""
        super().reset()
        with self._lock:
            self._rng = random.Random(self.seed)  # noqa: S311 - repeatable draws, not secrets
            self.reports: list[_Report] = []
            self.pushes: list[Push] = []
            self.polls = 0  # searches of /fhir/DiagnosticReport answered
        for number in range(self.initial_reports):
            self.publish(DEMO_PATIENTS[number % len(DEMO_PATIENTS)], push=False)

    @property
    def secret(self) -> str:
        if self._secret is None:
            from django.conf import settings

            self._secret = settings.LIS_WEBHOOK_SECRETS.get(self.lab, "")
        return self._secret

    # --- the lab's reports -------------------------------------------------

    def publish(
        self,
        patient_id: str = DEMO_PATIENTS[0],
        *,
        panel: str | None = None,
        issued: datetime | None = None,
        push: bool = True,
    ) -> str:
        """A new synthetic report of the patient; pushed when a push URL is set. Its id."""
        with self._lock:
            number = len(self.reports) + 1
            panels = sorted(_PANELS)
            code = panel or panels[(number - 1) % len(panels)]
            report_id = f"lis-{self.lab}-{number:05d}"
            issued = (issued or datetime.now(UTC)).astimezone(LAB_ZONE).replace(microsecond=0)
            collected = issued - timedelta(hours=6)
            rng = random.Random(f"{self.seed}:lis:{patient_id}:{number}")  # noqa: S311
            observations = _observations(rng, code, report_id, patient_id, issued)
            resource = {
                "resourceType": "DiagnosticReport",
                "id": report_id,
                "meta": {"lastUpdated": issued.isoformat()},
                "status": "final",
                "code": {
                    "coding": [{"system": NOMENCLATURE, "code": code}],
                    "text": _PANELS[code][0],
                },
                "subject": {"reference": f"Patient/{patient_id}"},
                "effectiveDateTime": collected.isoformat(),
                "issued": issued.isoformat(),
                "result": [{"reference": f"Observation/{o['id']}"} for o in observations],
            }
            report = _Report(resource, observations, issued, _pdf(report_id, _PANELS[code][0]))
            self.reports.append(report)
        if push and self.push_url:
            self.push(report_id)
        return report_id

    def correct(self, report_id: str, *, push: bool = True) -> None:
        """The lab corrects a report: status "corrected", issued (and updated) an
        hour later, other values; pushed when a push URL is set."""
        with self._lock:
            index, old = next(
                (n, r) for n, r in enumerate(self.reports) if r.resource["id"] == report_id
            )
            issued = old.updated + timedelta(hours=1)
            code = old.resource["code"]["coding"][0]["code"]
            patient_id = old.resource["subject"]["reference"].removeprefix("Patient/")
            rng = random.Random(f"{self.seed}:lis:{report_id}:correction")  # noqa: S311
            observations = _observations(rng, code, report_id, patient_id, issued)
            resource = {
                **old.resource,
                "meta": {"lastUpdated": issued.isoformat()},
                "status": "corrected",
                "issued": issued.isoformat(),
            }
            self.reports[index] = _Report(resource, observations, issued, old.pdf)
        if push and self.push_url:
            self.push(report_id)

    def report(self, report_id: str) -> _Report:
        with self._lock:
            return next(r for r in self.reports if r.resource["id"] == report_id)

    def bundle(self, report_id: str) -> dict:
        """The webhook body of a report: the report, its analytes and its PDF."""
        report = self.report(report_id)
        entries = [report.resource, *report.observations]
        binary = {
            "resourceType": "Binary",
            "id": f"{report_id}-pdf",
            "contentType": "application/pdf",
            "data": base64.b64encode(report.pdf).decode("ascii"),
        }
        return {
            "resourceType": "Bundle",
            "type": "collection",
            "timestamp": report.updated.isoformat(),
            "entry": [
                {"fullUrl": f"urn:lis:{r['resourceType']}/{r['id']}", "resource": r}
                for r in [*entries, binary]
            ],
        }

    def search(self, query: dict[str, list[str]]) -> dict:
        since_text = (query.get("_lastUpdated") or [""])[0].removeprefix("ge")
        try:
            since = datetime.fromisoformat(since_text) if since_text else None
        except ValueError:
            return _outcome("_lastUpdated=ge<instant> is not an instant")
        if since is not None and since.tzinfo is None:
            return _outcome("_lastUpdated needs an offset")
        include = (query.get("_include") or [""])[0] == "DiagnosticReport:result"
        with self._lock:
            found = sorted(
                (r for r in self.reports if since is None or r.updated >= since),
                key=lambda r: r.updated,
            )
        entries = []
        for report in found:
            entries.append({"resource": report.resource, "search": {"mode": "match"}})
            if include:
                entries += [
                    {"resource": o, "search": {"mode": "include"}} for o in report.observations
                ]
        return {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(found),
            "entry": entries,
        }

    # --- pushing -------------------------------------------------------------

    def push(self, report_id: str, *, url: str | None = None) -> list[Push]:
        """Deliver a report (with `duplicate` racing copies); the attempts made."""
        url = url or self.push_url
        body = json.dumps(self.bundle(report_id), ensure_ascii=False).encode("utf-8")
        report = self.report(report_id)
        event_id = f"evt-{report_id}"
        if report.resource["status"] == "corrected":  # a new delivery of its own
            event_id += f"-corrected-{report.updated:%Y%m%dT%H%M%S}"
        copies = 1 + max(0, int(self.knobs.duplicate))
        results: list[list[Push]] = [[] for _ in range(copies)]
        threads = [
            threading.Thread(
                target=self._deliver, args=(url, event_id, report_id, body, results[n])
            )
            for n in range(copies)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        attempts = [push for batch in results for push in batch]
        with self._lock:
            self.pushes += attempts
        return attempts

    def _deliver(self, url: str, event_id: str, report_id: str, body: bytes, out: list[Push]):
        for attempt in range(1, max(1, self.knobs.push_attempts) + 1):
            if self.knobs.latency:
                time.sleep(self.knobs.latency)
            sent = time.time() - (3600 if self.knobs.stale_timestamp else 0)
            timestamp = str(int(sent))
            key = self.secret + ("-wrong" if self.knobs.wrong_signature else "")
            headers = {
                "Content-Type": FHIR_JSON,
                "X-Event-Id": event_id,
                "X-Timestamp": timestamp,
                "X-Signature": signature(secret=key, timestamp=timestamp, body=body),
            }
            try:
                response = httpx.post(url, content=body, headers=headers, timeout=10.0)
                status, text = response.status_code, response.text[:300]
            except httpx.HTTPError as error:
                status, text = 0, f"{type(error).__name__}: {error}"
            out.append(Push(event_id, report_id, attempt, status, text))
            # Like a real sender: 2xx is done, a refusal of the request itself too.
            if 200 <= status < 300 or status in (400, 401, 404, 413):
                return
            time.sleep(0.2 * 2 ** (attempt - 1))

    # --- HTTP ----------------------------------------------------------------

    def inspect(self, method: str, path: str, body: bytes) -> Reply:
        if path == "/_sim/pushes":
            with self._lock:
                return Reply.json([asdict(p) for p in self.pushes], 200, FHIR_JSON)
        if path == "/_sim/publish" and method == "POST":
            data = json.loads(body or b"{}")
            report_id = self.publish(data.get("patient_id", DEMO_PATIENTS[0]))
            return Reply.json({"id": report_id}, 200, FHIR_JSON)
        if path == "/_sim/correct" and method == "POST":
            report_id = json.loads(body or b"{}").get("report_id", "")
            if not any(r.resource["id"] == report_id for r in self.reports):
                return Reply.json({"error": f"no report {report_id!r}"}, 404, FHIR_JSON)
            self.correct(report_id)
            return Reply.json({"id": report_id, "status": "corrected"}, 200, FHIR_JSON)
        return super().inspect(method, path, body)

    def respond(self, method: str, path: str, headers: Message, body: bytes) -> Reply:
        split = urlsplit(path)
        with self._lock:
            failing = self.knobs.error_rate and self._rng.random() < self.knobs.error_rate
        if failing:
            failure = _outcome("simulated internal error", code="exception")
            return Reply.json(failure, 500, FHIR_JSON)
        if method == "GET" and split.path == "/fhir/metadata":
            capability = {
                "resourceType": "CapabilityStatement",
                "status": "active",
                "kind": "instance",
                "fhirVersion": "4.0.1",
                "format": ["json"],
            }
            return Reply.json(capability, 200, FHIR_JSON)
        if method == "GET" and split.path == "/fhir/DiagnosticReport":
            answer = self.search(parse_qs(split.query))
            with self._lock:
                self.polls += 1
            return Reply.json(answer, 200, FHIR_JSON)
        return Reply.json(_outcome(f"no {method} {split.path}", code="not-found"), 404, FHIR_JSON)


def _outcome(diagnostics: str, *, code: str = "invalid") -> dict:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": diagnostics}],
    }


def _pdf(report_id: str, title: str) -> bytes:
    """A one-page synthetic PDF (ASCII only: the core font has no Cyrillic)."""
    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=12)
    document.cell(text=f"Synthetic lab report {report_id}")
    document.ln()
    document.cell(text=f"Panel: {title.encode('ascii', 'replace').decode()}")
    return bytes(document.output())
