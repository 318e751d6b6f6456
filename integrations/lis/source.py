"""Polling a lab without webhooks: a FHIR R4 search of DiagnosticReports since a time."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urljoin

import httpx

from integrations.lis.fhir_bundle import MalformedBundle, reports_in_searchset
from integrations.ports import LabReport, LabSourceUnavailable

FHIR_JSON = "application/fhir+json"
MAX_PAGES = 50


class FhirLabSource:
    """LabResultSource over a lab's FHIR endpoint (`GET DiagnosticReport?_lastUpdated=ge...`)."""

    def __init__(
        self,
        *,
        name: str,
        url: str,
        token: str = "",
        timeout: float = 10.0,
        time_zone: str = "Europe/Moscow",
    ):
        self.name = name
        self.url = url.rstrip("/") + "/"
        self.time_zone = time_zone
        headers = {"Accept": FHIR_JSON}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(timeout=timeout, headers=headers)

    def results_since(self, since: datetime) -> list[LabReport]:
        params: dict[str, str] | None = {
            "_lastUpdated": f"ge{since.isoformat(timespec='seconds')}",
            "_include": "DiagnosticReport:result",
            "_sort": "_lastUpdated",
        }
        url: str | None = urljoin(self.url, "DiagnosticReport")
        reports: list[LabReport] = []
        for _page in range(MAX_PAGES):
            if url is None:
                break
            data = self._get(url, params)
            try:
                reports += reports_in_searchset(data, time_zone=self.time_zone)
            except MalformedBundle as error:
                raise LabSourceUnavailable(f"{self.name}: {error}") from error
            url = next(
                (
                    link.get("url")
                    for link in data.get("link") or []
                    if link.get("relation") == "next"
                ),
                None,
            )
            params = None  # the next link carries its own query
        return sorted(reports, key=lambda report: report.issued_at)

    def _get(self, url: str, params: dict[str, str] | None) -> dict:
        try:
            response = self._http.get(url, params=params)
        except httpx.HTTPError as error:
            raise LabSourceUnavailable(f"{self.name}: {type(error).__name__}: {error}") from error
        if response.status_code != 200:
            raise LabSourceUnavailable(f"{self.name}: HTTP {response.status_code}")
        try:
            return response.json()
        except ValueError as error:
            raise LabSourceUnavailable(f"{self.name}: the answer is not JSON") from error
