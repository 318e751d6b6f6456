"""The Инфоклиника simulator: XML messages over HTTP behind an OAuth2 token.

The message shape follows what is public (namespace http://sdsys.ru/, a MSH
header with timestamp, type, message id and branch, `WEB_<TYPE>` roots with
`<TYPE>_IN` / `<TYPE>_OUT`, SPRESULT / SPCOMMENT / CHECKDATA); the field names
of each type are our assumption, listed in integrations/mis/infoclinica.py.
The data is the demo clinic's. Every time is the wall clock of the branch it
belongs to, without an offset; the token's secret carries a timestamp of the
server's own clock and is refused when it is more than `SECRET_WINDOW` away.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time as clock
from datetime import date, datetime, timedelta
from email.message import Message
from urllib.parse import parse_qsl

from lxml import etree

from integrations.ports import BookingRequest, MisError, Patient, SlotTaken
from integrations.simulators import register
from integrations.simulators._mis_http import MisHttpSimulator, Reply, branch_zone, free_times

NS = "http://sdsys.ru/"
TOKEN_PATH = "/oauth2/token"  # noqa: S105 - a path, not a password
API_PATH = "/api/xml"
VERSION = "simulator 1.0"
STAMP = "%Y%m%d%H%M%S"
SECRET_WINDOW = 300  # seconds the secret's timestamp may differ from the server's clock
# Инфоклиника's free time: a 15-minute grid, 10 minutes kept between visits,
# lunch open to booking.
GRID_MINUTES, BUFFER_MINUTES, BREAKS_BLOCK = 15, 10, False
INTERVAL_WORK, INTERVAL_VISIT, INTERVAL_BREAK = "1", "2", "3"
CHECK_TIME_TAKEN, CHECK_NO_PATIENT, CHECK_BAD_REQUEST = "2", "3", "9"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class Refusal(Exception):
    """Answered with SPRESULT 0, this CHECKDATA code and comment."""

    def __init__(self, check: str, comment: str):
        super().__init__(comment)
        self.check = check
        self.comment = comment


def secret_for(client_id: str, key: str, stamp: str) -> str:
    """The client secret: `<stamp>.<sha1 of stamp|client|key>` (hex)."""
    digest = hashlib.sha1(f"{stamp}|{client_id}|{key}".encode()).hexdigest()  # noqa: S324 - the protocol's digest
    return f"{stamp}.{digest}"


@register("infoclinica")
class InfoclinicaSimulator(MisHttpSimulator):
    """Extra knobs: client_id, client_key, token_ttl (seconds); `revoke_tokens()`."""

    def __init__(
        self,
        *,
        client_id: str = "site",
        client_key: str = "infoclinica",
        token_ttl: float = 3600.0,
        **kwargs,
    ):
        self._login = (client_id, client_key, token_ttl)
        self.client_id, self.client_key, self.token_ttl = self._login
        self.tokens: dict[str, float] = {}  # token -> expiry on the server's monotonic clock
        self.tokens_issued = 0
        super().__init__(**kwargs)

    def reset(self) -> None:
        super().reset()
        with self.lock:
            self.tokens.clear()
            self.tokens_issued = 0
            self.client_id, self.client_key, self.token_ttl = self._login

    def revoke_tokens(self) -> None:
        """Forget every token issued (a restart of the MIS server does that)."""
        with self.lock:
            self.tokens.clear()

    # --- HTTP -------------------------------------------------------------------

    def answer(self, method: str, path: str, headers: Message, body: bytes) -> Reply:
        route = path.split("?")[0]
        if method == "POST" and route == TOKEN_PATH:
            return self._token(body)
        if method == "POST" and route == API_PATH:
            token = (headers.get("Authorization") or "").removeprefix("Bearer ").strip()
            with self.lock:
                expiry = self.tokens.get(token)
            if expiry is None or expiry < clock.monotonic():
                return _json(401, {"error": "invalid_token"}, {"WWW-Authenticate": "Bearer"})
            return self._message(body)
        return Reply(404, b"not found", "text/plain")

    def _token(self, body: bytes) -> Reply:
        form = dict(parse_qsl(body.decode("utf-8", "replace")))
        if form.get("grant_type") != "client_credentials":
            return _json(400, {"error": "unsupported_grant_type"})
        stamp, _, _digest = (form.get("client_secret") or "").partition(".")
        expected = secret_for(self.client_id, self.client_key, stamp)
        if not (
            hmac.compare_digest(form.get("client_id", ""), self.client_id)
            and hmac.compare_digest(form.get("client_secret", ""), expected)
        ):
            return _json(401, {"error": "invalid_client"})
        try:
            sent = datetime.strptime(stamp, STAMP)
        except ValueError:
            return _json(401, {"error": "invalid_client"})
        now = self.now()
        if abs((sent - now).total_seconds()) > SECRET_WINDOW:
            return _json(
                401,
                {
                    "error": "invalid_client",
                    "error_description": "timestamp outside the window",
                    "server_time": now.strftime(STAMP),
                },
            )
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = clock.monotonic() + self.token_ttl
            self.tokens_issued += 1
        return _json(
            200, {"access_token": token, "token_type": "Bearer", "expires_in": int(self.token_ttl)}
        )

    def _message(self, body: bytes) -> Reply:
        try:
            root = etree.fromstring(body, parser=_PARSER)
        except etree.XMLSyntaxError:
            return Reply(400, b"the request is not XML", "text/plain")
        name = etree.QName(root)
        kind = name.localname.removeprefix("WEB_")
        handler = getattr(self, f"_{kind.lower()}", None)
        message_id = root.findtext(f"{{{NS}}}MSH/{{{NS}}}MSH.10") or ""
        answer = etree.Element(f"{{{NS}}}{name.localname}", nsmap={None: NS})
        header = etree.SubElement(answer, f"{{{NS}}}MSH")
        _add(header, "MSH.7", self.now().strftime(STAMP))
        _add(header, "MSH.9", name.localname)
        _add(header, "MSH.10", message_id)
        out = etree.SubElement(answer, f"{{{NS}}}{kind}_OUT")
        if name.namespace != NS or handler is None:
            _result(out, CHECK_BAD_REQUEST, f"unknown message type {name.localname}")
        else:
            fields = root.find(f"{{{NS}}}{kind}_IN")
            try:
                handler(_Fields(fields), message_id, out)
                _add(out, "SPRESULT", "1")
                _add(out, "SPCOMMENT", "")
            except Refusal as refusal:
                _result(out, refusal.check, refusal.comment)
        return Reply(200, etree.tostring(answer, encoding="utf-8", xml_declaration=True))

    # --- message types -------------------------------------------------------------

    def _server_info(self, fields: _Fields, message_id: str, out: etree._Element) -> None:
        _add(out, "VERSION", VERSION)
        _add(out, "SERVERTIME", self.now().strftime(STAMP))
        _add(out, "TIMEZONE", self.knobs.time_zone)

    def _filial_list(self, fields: _Fields, message_id: str, out: etree._Element) -> None:
        for branch in self.mis.branches():
            row = etree.SubElement(out, f"{{{NS}}}FILIAL")
            _add(row, "FILID", branch.external_id)
            _add(row, "FNAME", branch.name)
            _add(row, "FADDR", branch.address)
            _add(row, "FPHONE", branch.phone)
            _add(row, "TIMEZONE", branch.time_zone)

    def _spec_list(self, fields: _Fields, message_id: str, out: etree._Element) -> None:
        for specialty in self.mis.specialties():
            row = etree.SubElement(out, f"{{{NS}}}SPEC")
            _add(row, "SPECID", specialty.external_id)
            _add(row, "SPECNAME", specialty.name)

    def _price_list(self, fields: _Fields, message_id: str, out: etree._Element) -> None:
        for service in self.mis.services():
            row = etree.SubElement(out, f"{{{NS}}}SERVICE")
            _add(row, "SCHID", service.external_id)
            _add(row, "KODOPER", service.code)
            _add(row, "SCHNAME", service.name)
            if service.specialty_id:
                _add(row, "SPECID", service.specialty_id)
            _add(row, "DURATION", str(service.duration_minutes))
            _add(row, "PRICE", format(service.price, "f"))
            _add(row, "ONLINE", "1" if service.online else "0")

    def _doct_list(self, fields: _Fields, message_id: str, out: etree._Element) -> None:
        for doctor in self.mis.doctors():
            row = etree.SubElement(out, f"{{{NS}}}DOCTOR")
            _add(row, "DCODE", doctor.external_id)
            _add(row, "LASTNAME", doctor.last_name)
            _add(row, "FIRSTNAME", doctor.first_name)
            _add(row, "MIDNAME", doctor.middle_name)
            if doctor.career_start:
                _add(row, "STAZHDATE", doctor.career_start.strftime("%Y%m%d"))
            _add(row, "CATEGORY", doctor.category)
            _add(row, "DEGREE", doctor.degree)
            for specialty_id in doctor.specialty_ids:
                _add(row, "SPECID", specialty_id)
            for branch_id in doctor.branch_ids:
                _add(row, "FILIAL", branch_id)
            for service_id in doctor.service_ids:
                _add(row, "SCHID", service_id)

    def _schedule(self, fields: _Fields, message_id: str, out: etree._Element) -> None:
        first, last = fields.day("BDATE"), fields.day("FDATE")
        if last < first or (last - first).days > 62:
            raise Refusal(CHECK_BAD_REQUEST, "BDATE..FDATE must be 0..62 days")
        only = set(fields.all("DCODE"))
        schedule = self.mis.schedule(start=first - timedelta(days=1), end=last + timedelta(days=1))
        rows = [(INTERVAL_WORK, w, w.branch_id) for w in schedule.work]
        for kind, intervals in ((INTERVAL_VISIT, schedule.busy), (INTERVAL_BREAK, schedule.breaks)):
            for interval in intervals:
                # A visit or break belongs to the branch whose shift holds it.
                shift = next(
                    (
                        w
                        for w in schedule.work
                        if w.doctor_id == interval.doctor_id and w.start <= interval.start < w.end
                    ),
                    None,
                )
                rows.append((kind, interval, shift.branch_id if shift else ""))
        for kind, interval, branch_id in rows:
            if only and interval.doctor_id not in only:
                continue
            zone = branch_zone(branch_id, self.knobs.time_zone)
            start, end = interval.start.astimezone(zone), interval.end.astimezone(zone)
            if not first <= start.date() <= last:
                continue
            row = etree.SubElement(out, f"{{{NS}}}INTERVAL")
            _add(row, "DCODE", interval.doctor_id)
            _add(row, "FILIAL", branch_id)
            _add(row, "ITYPE", kind)
            _add(row, "WDATE", start.strftime("%Y%m%d"))
            _time(row, "B", start)
            _time(row, "F", end)

    def _schedule_free(self, fields: _Fields, message_id: str, out: etree._Element) -> None:
        first, last = fields.day("BDATE"), fields.day("FDATE")
        if last < first or (last - first).days > 62:
            raise Refusal(CHECK_BAD_REQUEST, "BDATE..FDATE must be 0..62 days")
        try:
            slots = free_times(
                self.mis,
                doctor_id=fields.required("DCODE"),
                service_id=fields.required("SCHID"),
                first=first,
                last=last,
                day_of=lambda moment, branch_id: moment.astimezone(
                    branch_zone(branch_id, self.knobs.time_zone)
                ).date(),
                grid_minutes=GRID_MINUTES,
                buffer_minutes=BUFFER_MINUTES,
                breaks_block=BREAKS_BLOCK,
            )
        except ValueError as exc:
            raise Refusal(CHECK_BAD_REQUEST, str(exc)) from exc
        for start, end, branch_id in slots:
            zone = branch_zone(branch_id, self.knobs.time_zone)
            row = etree.SubElement(out, f"{{{NS}}}SLOT")
            _add(row, "DCODE", fields.get("DCODE"))
            _add(row, "FILIAL", branch_id)
            _add(row, "WDATE", start.astimezone(zone).strftime("%Y%m%d"))
            _time(row, "B", start.astimezone(zone))
            _time(row, "F", end.astimezone(zone))

    def _client_check(self, fields: _Fields, message_id: str, out: etree._Element) -> None:
        birth = fields.get("BDATE")
        found = self.find_patients(
            phone=fields.required("PHONE"),
            birth_date=datetime.strptime(birth, "%Y%m%d").date() if birth else None,
            last_name=fields.get("LASTNAME"),
        )
        for patient in found:
            row = etree.SubElement(out, f"{{{NS}}}CLIENT")
            _add(row, "PCODE", patient.external_id)
            _add(row, "LASTNAME", patient.last_name)
            _add(row, "FIRSTNAME", patient.first_name)
            _add(row, "MIDNAME", patient.middle_name)
            if patient.birth_date:
                _add(row, "BDATE", patient.birth_date.strftime("%Y%m%d"))
            _add(row, "GENDER", {"male": "1", "female": "2"}.get(patient.sex, "0"))
            _add(row, "PHONE", patient.phone)
            _add(row, "EMAIL", patient.email)

    def _client_add(self, fields: _Fields, message_id: str, out: etree._Element) -> None:
        birth = fields.get("BDATE")
        patient = self.add_patient(
            Patient(
                last_name=fields.required("LASTNAME"),
                first_name=fields.required("FIRSTNAME"),
                middle_name=fields.get("MIDNAME"),
                phone=fields.required("PHONE"),
                birth_date=datetime.strptime(birth, "%Y%m%d").date() if birth else None,
                email=fields.get("EMAIL"),
                sex={"1": "male", "2": "female"}.get(fields.get("GENDER"), ""),
            )
        )
        _add(out, "PCODE", patient.external_id)

    def _schedule_rec_reserve(self, fields: _Fields, message_id: str, out: etree._Element) -> None:
        if not message_id:
            raise Refusal(CHECK_BAD_REQUEST, "MSH.10 (message id) is required")
        branch_id = fields.required("FILIAL")
        zone = branch_zone(branch_id, self.knobs.time_zone)
        day = fields.day("WORKDATE")
        start = fields.moment(day, "B", zone)
        end = fields.moment(day, "F", zone)
        if end <= start:
            raise Refusal(CHECK_BAD_REQUEST, "the visit must end after it starts")
        with self.lock:
            patient = self.patients.get(fields.required("PCODE"))
        if patient is None:
            raise Refusal(CHECK_NO_PATIENT, f"no patient {fields.get('PCODE')}")
        request = BookingRequest(
            idempotency_key=message_id,
            doctor_id=fields.required("DCODE"),
            branch_id=branch_id,
            service_id=fields.get("SCHID"),
            start=start,
            end=end,
            patient=patient,
        )
        try:
            appointment = self.book(request, lunch_is_open=True)
        except SlotTaken as exc:
            raise Refusal(CHECK_TIME_TAKEN, f"time taken: {exc}") from exc
        except MisError as exc:
            raise Refusal(CHECK_BAD_REQUEST, str(exc)) from exc
        start, end = appointment.start.astimezone(zone), appointment.end.astimezone(zone)
        _add(out, "SCHEDID", appointment.external_id)
        _add(out, "DCODE", appointment.doctor_id)
        _add(out, "FILIAL", branch_id)
        _add(out, "WORKDATE", start.strftime("%Y%m%d"))
        _time(out, "B", start)
        _time(out, "F", end)

    def _schedule_rec_remove(self, fields: _Fields, message_id: str, out: etree._Element) -> None:
        schedule_id = fields.required("SCHEDID")
        self.mis.cancel(appointment_id=schedule_id, idempotency_key=schedule_id)


class _Fields:
    """The children of a `<TYPE>_IN` element, by local name."""

    def __init__(self, element: etree._Element | None):
        self._element = element

    def all(self, name: str) -> list[str]:
        if self._element is None:
            return []
        return [(e.text or "").strip() for e in self._element.findall(f"{{{NS}}}{name}")]

    def get(self, name: str) -> str:
        values = self.all(name)
        return values[0] if values else ""

    def required(self, name: str) -> str:
        value = self.get(name)
        if not value:
            raise Refusal(CHECK_BAD_REQUEST, f"{name} is required")
        return value

    def day(self, name: str) -> date:
        try:
            return datetime.strptime(self.required(name), "%Y%m%d").date()
        except ValueError as exc:
            raise Refusal(CHECK_BAD_REQUEST, f"{name} is not yyyyMMdd") from exc

    def moment(self, day: date, prefix: str, zone) -> datetime:
        try:
            hours, minutes = int(self.required(f"{prefix}HOUR")), int(self.required(f"{prefix}MIN"))
        except ValueError as exc:
            raise Refusal(CHECK_BAD_REQUEST, f"{prefix}HOUR/{prefix}MIN are numbers") from exc
        if not (0 <= hours <= 24 and 0 <= minutes < 60):
            raise Refusal(CHECK_BAD_REQUEST, f"{hours}:{minutes} is not a time")
        return datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(
            hours=hours, minutes=minutes
        )


def _add(parent: etree._Element, name: str, value: str) -> None:
    etree.SubElement(parent, f"{{{NS}}}{name}").text = value


def _time(parent: etree._Element, prefix: str, moment: datetime) -> None:
    _add(parent, f"{prefix}HOUR", str(moment.hour))
    _add(parent, f"{prefix}MIN", str(moment.minute))


def _result(out: etree._Element, check: str, comment: str) -> None:
    _add(out, "SPRESULT", "0")
    _add(out, "SPCOMMENT", comment)
    _add(out, "CHECKDATA", check)


def _json(status: int, payload: dict, headers: dict[str, str] | None = None) -> Reply:
    return Reply(
        status, json.dumps(payload).encode(), "application/json; charset=utf-8", headers or {}
    )
