"""A generic FHIR R4 adapter: any MIS that speaks FHIR R4 REST (JSON) over httpx.

Resources read and how they map to the ports (the standard resources; where
R4 has no element for something, the assumed extension is named below and in
README «FHIR R4»):

- Location -> Branch; its IANA zone in the core `timezone` extension.
- CodeSystem (url SPECIALTY_SYSTEM) -> Specialty, one concept per specialty.
- HealthcareService -> Service: `type` carries the nomenclature code
  (NOMENCLATURE), `specialty` the specialty, the duration and the price sit
  in the extensions EXT_DURATION (valueDuration, minutes) and EXT_PRICE
  (valueMoney, RUB); an online service has the characteristic "online".
- Practitioner + PractitionerRole -> Doctor: the role carries specialties,
  locations, healthcare services and `period.start` (in practice since);
  qualifications coded QUALIFICATION "category" / "degree" carry their text.
- Schedule (one per practitioner and location) + Slot -> Schedule. The
  server cuts a working shift into Slots: "busy" is one booked visit,
  "busy-unavailable" a break, "free" the rest (on its own grid). A work
  interval is a run of back-to-back Slots of one Schedule.
- Appointment: booking creates one with status "booked" that references the
  Slots covering the time; the server refuses (409) when a Slot is not
  free. Idempotent by a conditional create, `If-None-Exist:
  identifier=BOOKING_SYSTEM|<key>`. Cancelling PUTs it back "cancelled".
- Patient: searched by telecom, birthdate and family; created conditionally
  (If-None-Exist on telecom + family + birthdate) when booking a new one.
- DiagnosticReport + Observation (`_include=DiagnosticReport:result`) ->
  LabReport, with reference ranges.
- Encounter + Condition (`_revinclude=Condition:encounter`) -> Visit: the
  doctor's protocol is the Encounter's narrative (`text`), the diagnoses its
  `diagnosis` Conditions coded ICD-10, the first by rank the main one.

The client, the profile's code systems and the lab report mapping are
integrations/protocols/fhir.py (shared with N3.Здоровье and the LIS). The
server writes instants with an offset; the adapter reports them on `time_zone`.
"""

from __future__ import annotations

import email.utils
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit

from lxml import etree

from integrations.mis.matching import matching
from integrations.ports import (
    BookingRequest,
    Branch,
    Diagnosis,
    Doctor,
    MisAppointment,
    MisError,
    MisStatus,
    Patient,
    PatientRecord,
    Schedule,
    Service,
    SlotPolicy,
    SlotTaken,
    Specialty,
    Visit,
)
from integrations.protocols.fhir import (
    BOOKING_SYSTEM,
    CHARACTERISTIC,
    EXT_DURATION,
    EXT_PRICE,
    EXT_TIME_ZONE,
    ICD10,
    NOMENCLATURE,
    QUALIFICATION,
    SPECIALTY_SYSTEM,
    FhirClient,
    FhirRefused,
    codes,
    parse,
    ref_id,
)
from integrations.protocols.slots import schedule_from_slots

# R4 http.html, the Prefer header: ask for the written resource in the answer.
PREFER = {"Prefer": "return=representation"}
# R4 slot.html, SlotStatus -> what schedule_from_slots reads: every busy kind
# is taken time (busy-tentative is held, not free), entered-in-error is no Slot.
SLOT_STATUSES = {
    "free": "free",
    "busy": "busy",
    "busy-tentative": "busy",
    "busy-unavailable": "busy-unavailable",
}


class FhirMis(FhirClient):
    """MisAdapter and PatientRecordSource over a FHIR R4 REST server."""

    name = "fhir"
    # The server publishes free Slots on a 15-minute grid from the start of a
    # shift; a visit may follow another directly, and breaks are busy Slots.
    slot_policy = SlotPolicy(grid_minutes=15, buffer_minutes=0, breaks_block=True)

    # The answers to a create that mean "a Slot is no longer free". R4 names no
    # status for it: 409 Conflict is what servers answer (and our simulator);
    # R4 http.html gives 422 for "server business rules", which also covers a
    # profile violation, so it stays a MisError unless a server is known to
    # use it (a subclass sets (409, 422)). 412 is never this: see book().
    slot_taken_statuses: ClassVar[tuple[int, ...]] = (409,)

    # Whether the server takes the chained `schedule.actor` search (till it refuses one).
    _chaining = True

    # What MIS_ADAPTER=fhir is built from: keyword -> setting (integrations.mis.ADAPTERS).
    SETTINGS: ClassVar[dict[str, str]] = {
        "url": "FHIR_URL",
        "token": "FHIR_TOKEN",
        "time_zone": "FHIR_TIME_ZONE",
        "timeout": "FHIR_TIMEOUT",
    }

    # --- the MisAdapter port ---------------------------------------------

    def ping(self) -> MisStatus:
        response = self._request("GET", "metadata")
        statement = response.json()
        skew = ""
        if response.headers.get("Date"):
            sent = email.utils.parsedate_to_datetime(response.headers["Date"])
            skew = str(round((sent - datetime.now(sent.tzinfo)).total_seconds()))
        version = statement.get("fhirVersion", "")
        extra = {"fhir_version": version, "software": _software(statement), "clock_skew": skew}
        if not version.startswith("4.0"):
            return MisStatus(self.name, False, f"FHIR {version}, expected R4 (4.0.x)", extra)
        return MisStatus(self.name, True, f"{self._label} {extra['software']}".strip(), extra)

    def branches(self) -> list[Branch]:
        return [
            Branch(
                external_id=location.id,
                name=location.name or "",
                address=(location.address.text or "") if location.address else "",
                phone=_telecom(location.telecom, "phone"),
                time_zone=_extension(location.extension, EXT_TIME_ZONE, "valueCode")
                or self.time_zone,
            )
            for location in self._search("Location")
        ]

    def specialties(self) -> list[Specialty]:
        found = self._search("CodeSystem", url=SPECIALTY_SYSTEM)
        return [
            Specialty(concept.code, concept.display or "")
            for system in found
            for concept in system.concept or []
        ]

    def services(self) -> list[Service]:
        services = []
        for service in self._search("HealthcareService"):
            duration = _extension(service.extension, EXT_DURATION, "valueDuration")
            price = _extension(service.extension, EXT_PRICE, "valueMoney")
            specialty = codes(service.specialty, SPECIALTY_SYSTEM)
            services.append(
                Service(
                    external_id=service.id,
                    code=next(iter(codes(service.type, NOMENCLATURE)), ""),
                    name=service.name or "",
                    specialty_id=specialty[0] if specialty else None,
                    duration_minutes=int(duration.value) if duration else 0,
                    price=Decimal(price.value) if price else Decimal(0),
                    online="online" in codes(service.characteristic, CHARACTERISTIC),
                )
            )
        return services

    def doctors(self) -> list[Doctor]:
        roles = defaultdict(list)
        for role in self._search("PractitionerRole"):
            if role.practitioner and role.practitioner.reference:
                roles[ref_id(role.practitioner.reference)].append(role)
        doctors = []
        for practitioner in self._search("Practitioner"):
            own = roles.get(practitioner.id, [])
            name = practitioner.name[0] if practitioner.name else None
            given = list(name.given or []) if name else []
            since = next((r.period.start for r in own if r.period and r.period.start), None)
            qualifications = {
                code: q.code.text or ""
                for q in practitioner.qualification or []
                for code in codes([q.code], QUALIFICATION)
            }
            doctors.append(
                Doctor(
                    external_id=practitioner.id,
                    last_name=(name.family or "") if name else "",
                    first_name=given[0] if given else "",
                    middle_name=" ".join(given[1:]),
                    specialty_ids=tuple(
                        code for r in own for code in codes(r.specialty, SPECIALTY_SYSTEM)
                    ),
                    branch_ids=tuple(
                        ref_id(loc.reference) for r in own for loc in r.location or []
                    ),
                    service_ids=tuple(
                        ref_id(s.reference) for r in own for s in r.healthcareService or []
                    ),
                    career_start=_as_date(since),
                    category=qualifications.get("category", ""),
                    degree=qualifications.get("degree", ""),
                )
            )
        return doctors

    def schedule(self, *, start: date, end: date) -> Schedule:
        owners = self._schedule_owners()
        slots: dict[str, list[Any]] = defaultdict(list)
        day = start
        while day <= end:  # one search a day keeps every answer small
            for slot in self._slots(day, day + timedelta(days=1)):
                slots[ref_id(slot.schedule.reference)].append(slot)
            day += timedelta(days=1)
        return schedule_from_slots(
            (
                *owners.get(schedule_id, ("", "")),
                self._local(slot.start),
                self._local(slot.end),
                SLOT_STATUSES[slot.status],
            )
            for schedule_id, rows in slots.items()
            for slot in rows
            if slot.status in SLOT_STATUSES
        )

    def book(self, request: BookingRequest) -> MisAppointment:
        window = [f"ge{_instant(request.start - timedelta(days=1))}", f"lt{_instant(request.end)}"]
        slots = [
            slot
            for slot in self._doctor_slots(request.doctor_id, window)
            if slot.start < request.end and request.start < slot.end
        ]
        if not slots:
            raise SlotTaken(f"{self._label}: no slot of {request.doctor_id} at {request.start}")
        patient_id = request.patient.external_id or self._patient_id(request.patient)
        appointment = {
            "resourceType": "Appointment",
            "identifier": [{"system": BOOKING_SYSTEM, "value": request.idempotency_key}],
            "status": "booked",
            "serviceType": [{"coding": [{"code": request.service_id}]}],
            "start": _instant(request.start),
            "end": _instant(request.end),
            "slot": [{"reference": f"Slot/{slot.id}"} for slot in slots],
            "participant": [
                {"actor": {"reference": f"Patient/{patient_id}"}, "status": "accepted"},
                {"actor": {"reference": f"Practitioner/{request.doctor_id}"}, "status": "accepted"},
                {"actor": {"reference": f"Location/{request.branch_id}"}, "status": "accepted"},
            ],
        }
        identifier = f"{BOOKING_SYSTEM}|{request.idempotency_key}"
        try:
            response = self._request(
                "POST",
                "Appointment",
                json=appointment,
                headers={**PREFER, "If-None-Exist": urlencode({"identifier": identifier})},
                taken=self.slot_taken_statuses,
            )
        except FhirRefused as exc:
            if exc.status != 412:
                raise
            # R4 http.html, "Conditional create": 412 is several matches of the condition.
            raise MisError(f"{exc}: several Appointments have identifier {identifier}") from exc
        return self._appointment(self._written(response, "Appointment", identifier=identifier))

    def cancel(self, *, appointment_id: str, idempotency_key: str) -> None:
        for attempt in (1, 2):
            read = self._request("GET", f"Appointment/{appointment_id}")
            current = read.json()
            if current.get("status") == "cancelled":
                return
            current["status"] = "cancelled"
            current["cancelationReason"] = {"text": f"site {idempotency_key}"}
            # R4 http.html, "Managing Resource Contention": If-Match
            # with the ETag the read gave; 412 when it is stale, read again.
            etag = read.headers.get("ETag")
            headers = {**PREFER, **({"If-Match": etag} if etag else {})}
            try:
                self._request("PUT", f"Appointment/{appointment_id}", json=current, headers=headers)
            except FhirRefused as exc:
                if exc.status == 412 and etag and attempt == 1:
                    continue
                raise
            return

    def find_patients(
        self, *, phone: str, birth_date: date | None = None, last_name: str = ""
    ) -> list[Patient]:
        params: dict[str, object] = {"telecom": f"phone|{phone}"}
        if birth_date:
            params["birthdate"] = birth_date.isoformat()
        if last_name:
            params["family"] = last_name
        found = [_patient(resource) for resource in self._search("Patient", **params)]
        # FHIR's `family` matches a prefix: keep exact surnames only (ё = е).
        return matching(found, phone=phone, birth_date=birth_date, last_name=last_name)

    # --- the PatientRecordSource port ----------------------------------------

    def patient_record(self, *, patient_id: str, since: date | None = None) -> PatientRecord:
        return PatientRecord(
            visits=tuple(self.visits(patient_id=patient_id, since=since)),
            lab_reports=tuple(self.lab_reports(patient_id=patient_id, since=since)),
        )

    def visits(self, *, patient_id: str, since: date | None = None) -> list[Visit]:
        """Encounters with their Conditions; the protocol is the Encounter's narrative."""
        params: dict[str, object] = {
            "subject": f"Patient/{patient_id}",
            "_revinclude": "Condition:encounter",
        }
        if since:
            params["date"] = f"ge{since.isoformat()}"
        encounters, conditions = [], {}
        for resource in self._search("Encounter", **params):
            if resource.get_resource_type() == "Condition":
                conditions[resource.id] = resource
            elif resource.get_resource_type() == "Encounter":
                encounters.append(resource)
        return [self._visit(e, conditions, patient_id) for e in encounters if e.period]

    # --- mapping ---------------------------------------------------------------

    def _appointment(self, resource: Any) -> MisAppointment:
        doctor = next(
            (
                ref_id(p.actor.reference)
                for p in resource.participant or []
                if p.actor and (p.actor.reference or "").startswith("Practitioner/")
            ),
            "",
        )
        return MisAppointment(
            external_id=resource.id,
            doctor_id=doctor,
            start=self._local(resource.start),
            end=self._local(resource.end),
            status="cancelled" if resource.status == "cancelled" else "booked",
        )

    def _visit(self, encounter: Any, conditions: dict, patient_id: str) -> Visit:
        diagnoses = []
        for index, entry in enumerate(
            sorted(encounter.diagnosis or [], key=lambda d: d.rank or 99)
        ):
            condition = conditions.get(ref_id(entry.condition.reference))
            if condition is None or condition.code is None:
                continue
            coding = next(
                (c for c in condition.code.coding or [] if c.system == ICD10),
                None,
            )
            diagnoses.append(
                Diagnosis(
                    code=coding.code if coding else "",
                    name=(coding.display if coding else None) or condition.code.text or "",
                    kind="main" if index == 0 else "concomitant",
                )
            )
        doctor = next(
            (
                ref_id(p.individual.reference)
                for p in encounter.participant or []
                if p.individual and (p.individual.reference or "").startswith("Practitioner/")
            ),
            "",
        )
        branch = next(
            (ref_id(loc.location.reference) for loc in encounter.location or [] if loc.location),
            "",
        )
        return Visit(
            external_id=encounter.id,
            patient_id=patient_id,
            doctor_id=doctor,
            branch_id=branch,
            start=self._local(encounter.period.start),
            protocol=_narrative(encounter.text.div) if encounter.text else "",
            diagnoses=tuple(diagnoses),
        )

    def _schedule_owners(self) -> dict[str, tuple[str, str]]:
        owners = {}
        for schedule in self._search("Schedule"):
            refs = [a.reference or "" for a in schedule.actor or []]
            doctor = next((ref_id(r) for r in refs if r.startswith("Practitioner/")), "")
            branch = next((ref_id(r) for r in refs if r.startswith("Location/")), "")
            owners[schedule.id] = (doctor, branch)
        return owners

    def _slots(self, first: date, last: date) -> Iterator[Any]:
        """Slots starting from the start of `first` up to the start of `last` here."""
        begins = datetime.combine(first, time(), self._zone)
        ends = datetime.combine(last, time(), self._zone)
        yield from self._search("Slot", start=[f"ge{_instant(begins)}", f"lt{_instant(ends)}"])

    def _patient_id(self, patient: Patient) -> str:
        resource: dict[str, object] = {
            "resourceType": "Patient",
            "name": [
                {
                    "family": patient.last_name,
                    "given": [n for n in (patient.first_name, patient.middle_name) if n],
                }
            ],
            "telecom": [{"system": "phone", "value": patient.phone}]
            + ([{"system": "email", "value": patient.email}] if patient.email else []),
        }
        condition = {"telecom": f"phone|{patient.phone}", "family": patient.last_name}
        if patient.birth_date:
            resource["birthDate"] = patient.birth_date.isoformat()
            condition["birthdate"] = patient.birth_date.isoformat()
        if patient.sex:
            resource["gender"] = patient.sex
        response = self._request(
            "POST",
            "Patient",
            json=resource,
            headers={**PREFER, "If-None-Exist": urlencode(condition)},
        )
        return self._written(response, "Patient").id

    def _written(self, response: Any, resource_type: str, *, identifier: str = "") -> Any:
        """The resource a create or update answered, read back when the body was minimal.

        R4 http.html, "create" and "update" (the Prefer header): without return=representation the
        server may answer with no body or an OperationOutcome; its `Location`
        header (`[base]/<type>/<id>/_history/<vid>`) names what was written.
        A conditional create that matched one resource (200) may carry no
        Location either: the resource is then searched by its identifier.
        """
        try:
            data = response.json() if response.content else None
        except ValueError:
            data = None
        if isinstance(data, dict) and data.get("resourceType") == resource_type:
            return parse(data, self._label)
        location = response.headers.get("Location") or response.headers.get("Content-Location")
        parts = urlsplit(location or "").path.split("/")
        if resource_type in parts[:-1]:
            resource_id = parts[parts.index(resource_type) + 1]
            read = self._request("GET", f"{resource_type}/{resource_id}")
            return parse(read.json(), self._label)
        found = (
            next(iter(self._search(resource_type, identifier=identifier)), None)
            if identifier
            else None
        )
        if found is None:
            raise MisError(f"{self._label} {resource_type}: written, but no body and no Location")
        return found

    def _doctor_slots(self, doctor_id: str, window: list[str]) -> Iterator[Any]:
        """The doctor's Slots in the window: a chained search, or Schedules then Slots.

        R4 search.html, "Chained parameters": chaining is optional for a server; one that
        refuses it (a 4xx OperationOutcome) is asked for the practitioner's
        Schedules, then for the Slots of those (a comma is an OR of values).
        """
        actor = f"Practitioner/{doctor_id}"
        if self._chaining:
            try:
                yield from self._search("Slot", **{"schedule.actor": actor}, start=window)
                return
            except FhirRefused as exc:
                if exc.status != 400:
                    raise
                self._chaining = False
        schedules = [f"Schedule/{s.id}" for s in self._search("Schedule", actor=actor)]
        if schedules:
            yield from self._search("Slot", schedule=",".join(schedules), start=window)


# --- helpers ------------------------------------------------------------------------


def _narrative(div: str) -> str:
    """The text of a Narrative's XHTML: one line per paragraph or list item."""
    try:
        root = etree.fromstring(div.encode(), parser=_XHTML_PARSER)
    except etree.XMLSyntaxError:
        return ""
    blocks = [node for node in root.iter() if etree.QName(node).localname in ("p", "li")]
    texts = ["".join(node.itertext()).strip() for node in blocks or [root]]
    return "\n".join(text for text in texts if text)


_XHTML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def _instant(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _extension(extensions: list | None, url: str, field: str) -> Any:
    return next((getattr(e, field) for e in extensions or [] if e.url == url), None)


def _telecom(points: list | None, system: str) -> str:
    return next((p.value for p in points or [] if p.system == system and p.value), "")


def _software(statement: dict) -> str:
    software = statement.get("software") or {}
    return " ".join(str(software[k]) for k in ("name", "version") if software.get(k))


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        return date.fromisoformat(value[:10])
    return None


def _patient(resource: Any) -> Patient:
    name = next((n for n in resource.name or [] if n.use in (None, "official")), None)
    given = list(name.given or []) if name else []
    return Patient(
        last_name=(name.family or "") if name else "",
        first_name=given[0] if given else "",
        middle_name=" ".join(given[1:]),
        phone=_telecom(resource.telecom, "phone"),
        birth_date=_as_date(resource.birthDate),
        email=_telecom(resource.telecom, "email"),
        external_id=resource.id or "",
        sex=resource.gender if resource.gender in ("male", "female") else "",
    )
