"""FHIR R4 REST as this platform speaks it: the clinic's profile, a client, lab reports.

The FHIR MIS adapter, the N3.Здоровье adapter (lab reports over the hub's
FHIR endpoint), the LIS webhook's Bundle reader and the simulators share it.
Models: fhir.resources.R4B (FHIR 4.3, wire-compatible with R4 4.0.1 for
every resource used here).

Auth: `Authorization: <scheme> <token>` (Bearer by default; N3.Здоровье uses
its own "N3 <guid>"). A 4xx is a MisError (FhirRefused, its status kept; on a
booking the statuses it names SlotTaken), 5xx / refused / timeout a MisUnavailable. Every call
has a timeout.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import httpx
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome
from pydantic import ValidationError

from integrations.ports import LabReport, MisError, MisUnavailable, Observation, SlotTaken

FHIR_JSON = "application/fhir+json"
EXT_TIME_ZONE = "http://hl7.org/fhir/StructureDefinition/timezone"
# Assumed code systems and extensions of the clinic's FHIR profile.
SPECIALTY_SYSTEM = "urn:clinic:fhir:specialty"
NOMENCLATURE = "urn:oid:1.2.643.5.1.13.13.11.1070"  # the national nomenclature of services
QUALIFICATION = "urn:clinic:fhir:qualification"
CHARACTERISTIC = "urn:clinic:fhir:service-characteristic"
EXT_DURATION = "urn:clinic:fhir:StructureDefinition/duration"
EXT_PRICE = "urn:clinic:fhir:StructureDefinition/price"
BOOKING_SYSTEM = "urn:clinic:fhir:booking"
LOINC = "http://loinc.org"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
PAGE_SIZE = 5000


class FhirClient:
    """A FHIR R4 REST server: searches that follow `next` links, requests with
    errors sorted into the ports' exceptions, and the patient's lab reports."""

    def __init__(
        self,
        *,
        url: str,
        token: str,
        time_zone: str = "Europe/Moscow",
        timeout: float = 10.0,
        auth_scheme: str = "Bearer",
        label: str = "FHIR",
    ):
        self.url = url.rstrip("/") + "/"
        self.time_zone = time_zone
        self.timeout = timeout
        self._zone = ZoneInfo(time_zone)
        self._label = label
        self._http = httpx.Client(
            base_url=self.url,
            timeout=timeout,
            headers={"Authorization": f"{auth_scheme} {token}", "Accept": FHIR_JSON},
        )

    def lab_reports(self, *, patient_id: str, since: date | None = None) -> list[LabReport]:
        """The patient's DiagnosticReports with their Observations (reference ranges kept)."""
        params: dict[str, object] = {
            "subject": f"Patient/{patient_id}",
            "_include": "DiagnosticReport:result",
        }
        if since:
            params["date"] = f"ge{since.isoformat()}"
        reports, observations = [], {}
        for resource in self._search("DiagnosticReport", **params):
            if resource.get_resource_type() == "Observation":
                observations[resource.id] = resource
            elif resource.get_resource_type() == "DiagnosticReport":
                reports.append(resource)
        return [self._lab_report(report, observations, patient_id) for report in reports]

    def _local(self, moment: datetime) -> datetime:
        return moment.astimezone(self._zone)

    def _lab_report(self, report: Any, observations: dict, patient_id: str) -> LabReport:
        code = report.code
        catalog = codes([code], NOMENCLATURE)
        results = []
        for reference in report.result or []:
            found = observations.get(ref_id(reference.reference))
            if found is not None:
                results.append(observation(found))
        collected = report.effectiveDateTime or report.issued
        return LabReport(
            external_id=report.id,
            patient_id=patient_id,
            title=code.text or next((c.display for c in code.coding or [] if c.display), ""),
            collected_at=self._local(collected),
            issued_at=self._local(report.issued or collected),
            observations=tuple(results),
            status=report_status(report.status),
            lab_test_id=f"lt-{catalog[0]}" if catalog else "",
            conclusion=report.conclusion or "",
        )

    # --- HTTP ------------------------------------------------------------------

    def _search(self, resource_type: str, **params: object) -> Iterator[Any]:
        """Every resource of a searchset, following its `next` links."""
        query = {"_count": str(PAGE_SIZE), **params}
        response = self._request("GET", resource_type, params=query)
        while True:
            data = response.json()
            # The entries are validated one by one, each as its own resource
            # type: a Bundle validating them generically is several times slower.
            entries = data.pop("entry", None) if isinstance(data, dict) else None
            bundle = parse(data, self._label)
            if not isinstance(bundle, Bundle):
                raise MisError(f"{self._label} {resource_type}: not a Bundle")
            for entry in entries or []:
                if isinstance(entry, dict) and entry.get("resource") is not None:
                    yield parse(entry["resource"], self._label)
            following = next(
                (link.url for link in bundle.link or [] if link.relation == "next"), ""
            )
            if not following:
                return
            response = self._request("GET", urljoin(self.url, following))

    def _request(
        self, method: str, path: str, *, taken: tuple[int, ...] = (), **kwargs: Any
    ) -> httpx.Response:
        what = f"{self._label} {method} {path.split('?')[0].removeprefix(self.url)}"
        if "json" in kwargs:
            kwargs["headers"] = {**kwargs.get("headers", {}), "Content-Type": FHIR_JSON}
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            raise MisUnavailable(f"{what}: timed out") from exc
        except httpx.TransportError as exc:  # refused, reset
            raise MisUnavailable(f"{what}: {type(exc).__name__}") from exc
        status = response.status_code
        if status < 300:
            return response
        message = f"{what}: HTTP {status} {_diagnostics(response)}".strip()
        if status in taken:  # the statuses this call reads as "the slot is taken"
            raise SlotTaken(message)
        if status >= 500 or status == 429:
            raise MisUnavailable(message)
        raise FhirRefused(message, status)


class FhirRefused(MisError):
    """A 4xx answer (its status kept): what the server would not do."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


# --- resources ----------------------------------------------------------------------


def parse(data: object, label: str) -> Any:
    """A JSON resource as its fhir.resources model (a Bundle's entries typed too)."""
    try:
        return get_fhir_model_class(data["resourceType"]).model_validate(data)  # type: ignore[index]
    except (ValidationError, KeyError, TypeError, ValueError) as exc:
        raise MisError(f"{label}: not a FHIR R4 resource: {exc}") from exc


def _diagnostics(response: httpx.Response) -> str:
    try:
        outcome = OperationOutcome.model_validate(response.json())
    except (ValueError, ValidationError):
        return ""
    return "; ".join(i.diagnostics or i.code for i in outcome.issue or [])


# DiagnosticReport.status -> our three stages (a report only moves forward).
_REPORT_STAGES = {
    "registered": "preliminary",
    "partial": "preliminary",
    "preliminary": "preliminary",
    "amended": "corrected",
    "corrected": "corrected",
    "appended": "corrected",
}


def report_status(status: str | None) -> str:
    """preliminary | final | corrected, from a FHIR DiagnosticReport status."""
    return _REPORT_STAGES.get(status or "", "final")


def ref_id(reference: str | None) -> str:
    """The id a reference points at: `Patient/pt-1` -> `pt-1`."""
    return (reference or "").rstrip("/").rsplit("/", 1)[-1]


def codes(concepts: list | None, system: str) -> list[str]:
    """The codes of one code system in these CodeableConcepts."""
    return [
        coding.code
        for concept in concepts or []
        if concept is not None
        for coding in concept.coding or []
        if coding.system == system and coding.code
    ]


def _number(value: Decimal) -> str:
    """A number as a Russian lab prints it: a decimal comma."""
    return format(value.normalize() if value == value.to_integral() else value, "f").replace(
        ".", ","
    )


def observation(resource: Any) -> Observation:
    """An Observation as the port's result: a number with its unit and range, or a text."""
    code = resource.code
    loinc = codes([code], LOINC)
    name = code.text or next((c.display for c in code.coding or [] if c.display), "")
    quantity = resource.valueQuantity
    low = high = None
    for reference in resource.referenceRange or []:
        low = reference.low.value if reference.low else low
        high = reference.high.value if reference.high else high
        break
    comment = " ".join(n.text for n in resource.note or [] if n.text)
    if quantity is not None and quantity.value is not None:
        numeric = Decimal(quantity.value)
        return Observation(
            code=loinc[0] if loinc else next((c.code for c in code.coding or []), ""),
            name=name,
            value=_number(numeric),
            unit=quantity.unit or "",
            numeric=numeric,
            ref_low=Decimal(low) if low is not None else None,
            ref_high=Decimal(high) if high is not None else None,
            comment=comment,
        )
    return Observation(
        code=loinc[0] if loinc else next((c.code for c in code.coding or []), ""),
        name=name,
        value=resource.valueString or "",
        comment=comment,
    )
