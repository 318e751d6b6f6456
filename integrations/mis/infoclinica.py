"""The Инфоклиника adapter: XML messages over HTTP behind an OAuth2 token (httpx).

Public: XML in the namespace http://sdsys.ru/, a `MSH` header (MSH.7 the
timestamp yyyyMMddHHmmss, MSH.9 the message type, MSH.10 the message id,
MSH.99 the branch, "filial"), a `WEB_<TYPE>` root holding `<TYPE>_IN`, an
answer `<TYPE>_OUT` with SPRESULT (1 ok / 0 refused), SPCOMMENT and CHECKDATA
(2 = the time is taken); the token from `POST /oauth2/token`, then
`POST /api/xml` with a Bearer token.

Assumed (nothing public found; correct here when a clinic shows the real one):
- Token: client credentials grant; client_secret = `<stamp>.<sha1 hex of
  stamp|client_id|key>` where stamp is yyyyMMddHHmmss on the MIS server's
  clock. A stamp off by more than 5 minutes is refused with 401 and the
  server's time (`server_time`): we learn the offset and ask once more. The
  token's life comes as `expires_in` seconds and is timed on our monotonic
  clock, never on the server's (its clock may be skewed).
- Types and fields: SERVER_INFO (VERSION, SERVERTIME, TIMEZONE); FILIAL_LIST
  (FILIAL: FILID, FNAME, FADDR, FPHONE, TIMEZONE as an IANA name); SPEC_LIST
  (SPEC: SPECID, SPECNAME); PRICE_LIST (SERVICE: SCHID, KODOPER = the
  nomenclature code, SCHNAME, SPECID, DURATION, PRICE, ONLINE 1/0); DOCT_LIST
  (DOCTOR: DCODE, LASTNAME, FIRSTNAME, MIDNAME, STAZHDATE, CATEGORY, DEGREE,
  repeated SPECID / FILIAL / SCHID); SCHEDULE (BDATE, FDATE, DCODE* ->
  INTERVAL: DCODE, FILIAL, ITYPE 1 work / 2 visit / 3 break, WDATE,
  BHOUR, BMIN, FHOUR, FMIN); CLIENT_CHECK (PHONE, BDATE, LASTNAME -> CLIENT:
  PCODE, names, BDATE, GENDER 1/2, PHONE, EMAIL); CLIENT_ADD (-> PCODE);
  SCHEDULE_REC_RESERVE (DCODE, FILIAL, SCHID, WORKDATE, BHOUR, BMIN, FHOUR,
  FMIN, PCODE -> SCHEDID and the times booked), idempotent by MSH.10;
  SCHEDULE_REC_REMOVE (SCHEDID); SCHEDULE_FREE (DCODE, SCHID, BDATE, FDATE
  -> SLOT: DCODE, FILIAL, WDATE, BHOUR, BMIN, FHOUR, FMIN), its own free times.
- Every time is the wall clock of the branch it belongs to (FILIAL; empty:
  the server's own zone) without an offset. We convert with the branch's zone
  and report in `time_zone`, the MIS server's zone.
"""

from __future__ import annotations

import hashlib
import threading
import time as clock
import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import ClassVar
from zoneinfo import ZoneInfo

import httpx
from lxml import etree

from integrations.ports import (
    BookingRequest,
    Branch,
    BreakInterval,
    BusyInterval,
    Doctor,
    MisAppointment,
    MisError,
    MisStatus,
    MisUnavailable,
    Patient,
    Schedule,
    Service,
    SlotPolicy,
    SlotTaken,
    Specialty,
    WorkInterval,
)

NS = "http://sdsys.ru/"
STAMP = "%Y%m%d%H%M%S"
CHECK_TIME_TAKEN = "2"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_SEX = {"1": "male", "2": "female"}


class InfoclinicaMis:
    """MisAdapter over Инфоклиника's XML-over-HTTP interface."""

    name = "infoclinica"
    # Инфоклиника's free slot (INTEGRATIONS.md): it keeps a buffer between
    # visits and lets visits into lunch; slots on a 15-minute grid.
    slot_policy = SlotPolicy(grid_minutes=15, buffer_minutes=10, breaks_block=False)

    # What MIS_ADAPTER=infoclinica is built from: keyword -> setting (integrations.mis.ADAPTERS).
    SETTINGS: ClassVar[dict[str, str]] = {
        "url": "INFOCLINICA_URL",
        "client_id": "INFOCLINICA_CLIENT_ID",
        "client_key": "INFOCLINICA_CLIENT_KEY",
        "time_zone": "INFOCLINICA_TIME_ZONE",
        "timeout": "INFOCLINICA_TIMEOUT",
    }

    def __init__(
        self,
        *,
        url: str,
        client_id: str,
        client_key: str,
        time_zone: str = "Europe/Moscow",
        timeout: float = 10.0,
    ):
        self.url = url.rstrip("/")
        self.time_zone = time_zone
        self.timeout = timeout
        self._zone = ZoneInfo(time_zone)
        self._client_id = client_id
        self._client_key = client_key
        self._http = httpx.Client(timeout=timeout)  # no connection until the first call
        self._lock = threading.Lock()
        self._token = ""
        self._token_expiry = 0.0  # on time.monotonic()
        self._server_offset = timedelta(0)  # the server's clock minus ours, once learned
        self._branch_zones: dict[str, ZoneInfo] = {}

    # --- the MisAdapter port ---------------------------------------------

    def ping(self) -> MisStatus:
        out = self._call("SERVER_INFO")
        reported = _text(out, "TIMEZONE")
        server_time = datetime.strptime(_text(out, "SERVERTIME"), STAMP).replace(tzinfo=self._zone)
        skew = (server_time - datetime.now(self._zone)).total_seconds()
        extra = {
            "version": _text(out, "VERSION"),
            "time_zone": reported,
            "clock_skew": f"{skew:.0f}",
        }
        if reported and reported != self.time_zone:
            return MisStatus(
                system=self.name,
                ok=False,
                detail=f"MIS keeps {reported}, configured {self.time_zone}",
                extra=extra,
            )
        return MisStatus(
            system=self.name, ok=True, detail=f"Инфоклиника {extra['version']}", extra=extra
        )

    def branches(self) -> list[Branch]:
        branches = [
            Branch(
                _text(row, "FILID"),
                _text(row, "FNAME"),
                _text(row, "FADDR"),
                _text(row, "FPHONE"),
                _text(row, "TIMEZONE") or self.time_zone,
            )
            for row in _rows(self._call("FILIAL_LIST"), "FILIAL")
        ]
        with self._lock:
            self._branch_zones = {b.external_id: ZoneInfo(b.time_zone) for b in branches}
        return branches

    def specialties(self) -> list[Specialty]:
        return [
            Specialty(_text(row, "SPECID"), _text(row, "SPECNAME"))
            for row in _rows(self._call("SPEC_LIST"), "SPEC")
        ]

    def services(self) -> list[Service]:
        return [
            Service(
                external_id=_text(row, "SCHID"),
                code=_text(row, "KODOPER"),
                name=_text(row, "SCHNAME"),
                specialty_id=_text(row, "SPECID") or None,
                duration_minutes=int(_text(row, "DURATION")),
                price=Decimal(_text(row, "PRICE")),
                online=_text(row, "ONLINE") == "1",
            )
            for row in _rows(self._call("PRICE_LIST"), "SERVICE")
        ]

    def doctors(self) -> list[Doctor]:
        doctors = []
        for row in _rows(self._call("DOCT_LIST"), "DOCTOR"):
            career = _text(row, "STAZHDATE")
            doctors.append(
                Doctor(
                    external_id=_text(row, "DCODE"),
                    last_name=_text(row, "LASTNAME"),
                    first_name=_text(row, "FIRSTNAME"),
                    middle_name=_text(row, "MIDNAME"),
                    specialty_ids=_all(row, "SPECID"),
                    branch_ids=_all(row, "FILIAL"),
                    service_ids=_all(row, "SCHID"),
                    career_start=_day(career) if career else None,
                    category=_text(row, "CATEGORY"),
                    degree=_text(row, "DEGREE"),
                )
            )
        return doctors

    def schedule(self, *, start: date, end: date) -> Schedule:
        # Branch-local dates differ from ours near midnight: ask a day more on
        # each side and keep what starts on the asked dates of the MIS's clock.
        out = self._call(
            "SCHEDULE",
            [
                ("BDATE", (start - timedelta(days=1)).strftime("%Y%m%d")),
                ("FDATE", (end + timedelta(days=1)).strftime("%Y%m%d")),
            ],
        )
        work: list[WorkInterval] = []
        busy: list[BusyInterval] = []
        breaks: list[BreakInterval] = []
        for row in _rows(out, "INTERVAL"):
            branch_id = _text(row, "FILIAL")
            begins, ends = self._interval(row, branch_id, "WDATE")
            if not start <= begins.date() <= end:
                continue
            doctor_id, kind = _text(row, "DCODE"), _text(row, "ITYPE")
            if kind == "1":
                work.append(WorkInterval(doctor_id, branch_id, begins, ends))
            elif kind == "2":
                busy.append(BusyInterval(doctor_id, begins, ends))
            elif kind == "3":
                breaks.append(BreakInterval(doctor_id, begins, ends))
        return Schedule(work=tuple(work), busy=tuple(busy), breaks=tuple(breaks))

    def book(self, request: BookingRequest) -> MisAppointment:
        patient = request.patient
        patient_id = patient.external_id or _text(
            self._call(
                "CLIENT_ADD",
                [
                    ("LASTNAME", patient.last_name),
                    ("FIRSTNAME", patient.first_name),
                    ("MIDNAME", patient.middle_name),
                    ("BDATE", patient.birth_date.strftime("%Y%m%d") if patient.birth_date else ""),
                    ("GENDER", {"male": "1", "female": "2"}.get(patient.sex, "")),
                    ("PHONE", patient.phone),
                    ("EMAIL", patient.email),
                ],
            ),
            "PCODE",
        )
        zone = self._zone_of(request.branch_id)
        begins, ends = request.start.astimezone(zone), request.end.astimezone(zone)
        if ends.date() != begins.date():
            raise MisError("Инфоклиника books within one day of the branch's clock")
        out = self._call(
            "SCHEDULE_REC_RESERVE",
            [
                ("DCODE", request.doctor_id),
                ("FILIAL", request.branch_id),
                ("SCHID", request.service_id),
                ("WORKDATE", begins.strftime("%Y%m%d")),
                ("BHOUR", str(begins.hour)),
                ("BMIN", str(begins.minute)),
                ("FHOUR", str(ends.hour)),
                ("FMIN", str(ends.minute)),
                ("PCODE", patient_id),
            ],
            message_id=request.idempotency_key,
            branch_id=request.branch_id,
        )
        begins, ends = self._interval(out, _text(out, "FILIAL"), "WORKDATE")
        return MisAppointment(
            external_id=_text(out, "SCHEDID"),
            doctor_id=_text(out, "DCODE"),
            start=begins,
            end=ends,
        )

    def cancel(self, *, appointment_id: str, idempotency_key: str) -> None:
        self._call("SCHEDULE_REC_REMOVE", [("SCHEDID", appointment_id)])

    def find_patients(
        self, *, phone: str, birth_date: date | None = None, last_name: str = ""
    ) -> list[Patient]:
        out = self._call(
            "CLIENT_CHECK",
            [
                ("PHONE", phone),
                ("BDATE", birth_date.strftime("%Y%m%d") if birth_date else ""),
                ("LASTNAME", last_name),
            ],
        )
        return [
            Patient(
                last_name=_text(row, "LASTNAME"),
                first_name=_text(row, "FIRSTNAME"),
                middle_name=_text(row, "MIDNAME"),
                birth_date=_day(_text(row, "BDATE")) if _text(row, "BDATE") else None,
                phone=_text(row, "PHONE"),
                email=_text(row, "EMAIL"),
                external_id=_text(row, "PCODE"),
                sex=_SEX.get(_text(row, "GENDER"), ""),
            )
            for row in _rows(out, "CLIENT")
        ]

    # --- beyond the port ------------------------------------------------------

    def free_slots(
        self, *, doctor_id: str, service_id: str, start: date, end: date
    ) -> list[WorkInterval]:
        """Инфоклиника's own free times (SCHEDULE_FREE), to check `slot_policy` against."""
        out = self._call(
            "SCHEDULE_FREE",
            [
                ("DCODE", doctor_id),
                ("SCHID", service_id),
                ("BDATE", start.strftime("%Y%m%d")),
                ("FDATE", end.strftime("%Y%m%d")),
            ],
        )
        slots = []
        for row in _rows(out, "SLOT"):
            begins, ends = self._interval(row, _text(row, "FILIAL"), "WDATE")
            slots.append(WorkInterval(_text(row, "DCODE"), _text(row, "FILIAL"), begins, ends))
        return slots

    # --- times --------------------------------------------------------------------

    def _zone_of(self, branch_id: str) -> ZoneInfo:
        if not branch_id:
            return self._zone
        with self._lock:
            zone = self._branch_zones.get(branch_id)
        if zone is None:
            self.branches()  # a branch we have not seen yet: read the list again
            with self._lock:
                zone = self._branch_zones.get(branch_id)
        if zone is None:
            raise MisError(f"Инфоклиника has no branch {branch_id!r}")
        return zone

    def _interval(self, row: etree._Element, branch_id: str, day_field: str):
        """(start, end) of a row's wall-clock times, on the MIS server's zone."""
        zone = self._zone_of(branch_id)
        day = _day(_text(row, day_field))
        midnight = datetime(day.year, day.month, day.day)
        begins = midnight + timedelta(
            hours=int(_text(row, "BHOUR")), minutes=int(_text(row, "BMIN"))
        )
        ends = midnight + timedelta(hours=int(_text(row, "FHOUR")), minutes=int(_text(row, "FMIN")))
        if ends <= begins:
            ends += timedelta(days=1)  # ends after the branch's midnight
        return (
            begins.replace(tzinfo=zone).astimezone(self._zone),
            ends.replace(tzinfo=zone).astimezone(self._zone),
        )

    # --- the token ------------------------------------------------------------------

    def _bearer(self, *, renew: bool = False) -> str:
        with self._lock:
            if not renew and self._token and clock.monotonic() < self._token_expiry:
                return self._token
        token, lifetime = self._fetch_token()
        with self._lock:
            self._token = token
            # Renew a little early: a token must not expire on its way to the MIS.
            self._token_expiry = clock.monotonic() + lifetime - min(30.0, lifetime / 10)
        return token

    def _fetch_token(self) -> tuple[str, float]:
        for attempt in (1, 2):
            stamp = (datetime.now(self._zone) + self._server_offset).strftime(STAMP)
            digest = hashlib.sha1(  # noqa: S324 - the protocol's digest
                f"{stamp}|{self._client_id}|{self._client_key}".encode()
            ).hexdigest()
            response = self._post(
                "/oauth2/token",
                "token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": self._client_id,
                    "client_secret": f"{stamp}.{digest}",
                },
            )
            payload = _json(response)
            if response.status_code == 200 and payload.get("access_token"):
                return str(payload["access_token"]), float(payload.get("expires_in") or 60)
            server_time = payload.get("server_time")
            if response.status_code == 401 and server_time and attempt == 1:
                # Our clock and the MIS's disagree: sign with the MIS's time.
                theirs = datetime.strptime(str(server_time), STAMP).replace(tzinfo=self._zone)
                self._server_offset = theirs - datetime.now(self._zone)
                continue
            break
        raise MisError(
            f"Инфоклиника token: HTTP {response.status_code} {payload.get('error', '')}".strip()
        )

    # --- messages -------------------------------------------------------------------

    def _call(
        self,
        kind: str,
        fields: Sequence[tuple[str, str]] = (),
        *,
        message_id: str = "",
        branch_id: str = "",
    ) -> etree._Element:
        body = self._message(kind, fields, message_id or uuid.uuid4().hex, branch_id)
        for renew in (False, True):
            response = self._post(
                "/api/xml",
                kind,
                content=body,
                headers={
                    "Authorization": f"Bearer {self._bearer(renew=renew)}",
                    "Content-Type": "application/xml; charset=utf-8",
                },
            )
            if response.status_code != 401:
                break
        if response.status_code == 401:
            raise MisError(f"Инфоклиника {kind}: the token was refused twice")
        if response.status_code != 200:
            raise MisError(f"Инфоклиника {kind}: HTTP {response.status_code}")
        try:
            answer = etree.fromstring(response.content, parser=_PARSER)
        except etree.XMLSyntaxError as exc:
            raise MisError(f"Инфоклиника {kind}: the answer is not XML") from exc
        out = answer.find(f"{{{NS}}}{kind}_OUT")
        if out is None:
            raise MisError(f"Инфоклиника {kind}: no {kind}_OUT in the answer")
        if _text(out, "SPRESULT") != "1":
            comment = f"Инфоклиника {kind}: {_text(out, 'SPCOMMENT')}"
            if _text(out, "CHECKDATA") == CHECK_TIME_TAKEN:
                raise SlotTaken(comment)
            raise MisError(comment)
        return out

    def _message(
        self, kind: str, fields: Sequence[tuple[str, str]], message_id: str, branch_id: str
    ) -> bytes:
        root = etree.Element(f"{{{NS}}}WEB_{kind}", nsmap={None: NS})
        header = etree.SubElement(root, f"{{{NS}}}MSH")
        stamp = (datetime.now(self._zone) + self._server_offset).strftime(STAMP)
        for name, value in (
            ("MSH.7", stamp),
            ("MSH.9", f"WEB_{kind}"),
            ("MSH.10", message_id),
            ("MSH.99", branch_id),
        ):
            etree.SubElement(header, f"{{{NS}}}{name}").text = value
        inner = etree.SubElement(root, f"{{{NS}}}{kind}_IN")
        for name, value in fields:
            if value:
                etree.SubElement(inner, f"{{{NS}}}{name}").text = value
        return etree.tostring(root, encoding="utf-8", xml_declaration=True)

    def _post(self, path: str, what: str, **kwargs: object) -> httpx.Response:
        try:
            response = self._http.post(self.url + path, **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:  # refused, reset, timed out
            raise MisUnavailable(f"Инфоклиника {what}: {type(exc).__name__}") from exc
        if response.status_code >= 500:
            raise MisUnavailable(f"Инфоклиника {what}: HTTP {response.status_code}")
        return response


def _text(element: etree._Element, name: str) -> str:
    return (element.findtext(f"{{{NS}}}{name}") or "").strip()


def _all(element: etree._Element, name: str) -> tuple[str, ...]:
    return tuple((e.text or "").strip() for e in element.findall(f"{{{NS}}}{name}"))


def _rows(out: etree._Element, name: str) -> list[etree._Element]:
    return out.findall(f"{{{NS}}}{name}")


def _day(text: str) -> date:
    return datetime.strptime(text, "%Y%m%d").date()


def _json(response: httpx.Response) -> dict:
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}
