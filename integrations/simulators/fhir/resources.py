"""The demo clinic as FHIR R4 resources (plain JSON dicts), as the simulator serves it.

The profile (code systems, extensions) is the one integrations/mis/fhir.py
reads; see its docstring. Slots are cut from the demo MIS's schedule: one
"busy" Slot per visit, one "busy-unavailable" Slot per break, and the free
time of a shift in "free" Slots on a grid from the start of the shift.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from integrations.mis.demo import DemoMis
from integrations.ports import Branch, Doctor, MisAppointment, Patient, Service, Specialty
from integrations.protocols.fhir import (
    BOOKING_SYSTEM,
    CHARACTERISTIC,
    EXT_DURATION,
    EXT_PRICE,
    EXT_TIME_ZONE,
    NOMENCLATURE,
    QUALIFICATION,
    SPECIALTY_SYSTEM,
)

GRID_MINUTES = 15
SLOT_CODES = {"free": "f", "busy": "b", "busy-unavailable": "u"}


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral() else float(value)


def location(branch: Branch) -> dict:
    return {
        "resourceType": "Location",
        "id": branch.external_id,
        "status": "active",
        "name": branch.name,
        "address": {"text": branch.address},
        "telecom": [{"system": "phone", "value": branch.phone}],
        "extension": [{"url": EXT_TIME_ZONE, "valueCode": branch.time_zone}],
    }


def specialty_code_system(specialties: list[Specialty]) -> dict:
    return {
        "resourceType": "CodeSystem",
        "id": "clinic-specialty",
        "url": SPECIALTY_SYSTEM,
        "status": "active",
        "content": "complete",
        "name": "ClinicSpecialty",
        "concept": [{"code": s.external_id, "display": s.name} for s in specialties],
    }


def _concept(system: str, code: str) -> dict:
    return {"coding": [{"system": system, "code": code}]}


def healthcare_service(service: Service) -> dict:
    resource: dict = {
        "resourceType": "HealthcareService",
        "id": service.external_id,
        "active": True,
        "name": service.name,
        "type": [_concept(NOMENCLATURE, service.code)],
        "extension": [
            {
                "url": EXT_DURATION,
                "valueDuration": {
                    "value": service.duration_minutes,
                    "unit": "min",
                    "system": "http://unitsofmeasure.org",
                    "code": "min",
                },
            },
            {"url": EXT_PRICE, "valueMoney": {"value": _number(service.price), "currency": "RUB"}},
        ],
    }
    if service.specialty_id:
        resource["specialty"] = [_concept(SPECIALTY_SYSTEM, service.specialty_id)]
    if service.online:
        resource["characteristic"] = [_concept(CHARACTERISTIC, "online")]
    return resource


def practitioner(doctor: Doctor) -> dict:
    qualifications = [
        {"code": {**_concept(QUALIFICATION, code), "text": text}}
        for code, text in (("category", doctor.category), ("degree", doctor.degree))
        if text
    ]
    resource: dict = {
        "resourceType": "Practitioner",
        "id": doctor.external_id,
        "active": True,
        "name": [
            {
                "use": "official",
                "family": doctor.last_name,
                "given": [n for n in (doctor.first_name, doctor.middle_name) if n],
            }
        ],
    }
    if qualifications:
        resource["qualification"] = qualifications
    return resource


def practitioner_role(doctor: Doctor) -> dict:
    resource: dict = {
        "resourceType": "PractitionerRole",
        "id": f"role-{doctor.external_id}",
        "active": True,
        "practitioner": {"reference": f"Practitioner/{doctor.external_id}"},
        "specialty": [_concept(SPECIALTY_SYSTEM, s) for s in doctor.specialty_ids],
        "location": [{"reference": f"Location/{b}"} for b in doctor.branch_ids],
        "healthcareService": [{"reference": f"HealthcareService/{s}"} for s in doctor.service_ids],
    }
    if doctor.career_start:
        resource["period"] = {"start": doctor.career_start.isoformat()}
    return resource


def schedule_id(doctor_id: str, branch_id: str) -> str:
    return f"{doctor_id}.{branch_id}"


def schedules(doctors: list[Doctor]) -> list[dict]:
    return [
        {
            "resourceType": "Schedule",
            "id": schedule_id(d.external_id, b),
            "active": True,
            "actor": [
                {"reference": f"Practitioner/{d.external_id}"},
                {"reference": f"Location/{b}"},
            ],
        }
        for d in doctors
        for b in d.branch_ids
    ]


def patient(person: Patient) -> dict:
    resource: dict = {
        "resourceType": "Patient",
        "id": person.external_id,
        "active": True,
        "name": [
            {
                "use": "official",
                "family": person.last_name,
                "given": [n for n in (person.first_name, person.middle_name) if n],
            }
        ],
        "telecom": [{"system": "phone", "value": person.phone, "use": "mobile"}]
        + ([{"system": "email", "value": person.email}] if person.email else []),
    }
    if person.birth_date:
        resource["birthDate"] = person.birth_date.isoformat()
    if person.sex:
        resource["gender"] = person.sex
    return resource


def appointment(found: MisAppointment, *, key: str, zone: ZoneInfo, patient_id: str = "") -> dict:
    participants = [
        {"actor": {"reference": f"Practitioner/{found.doctor_id}"}, "status": "accepted"}
    ]
    if patient_id:
        participants.insert(
            0, {"actor": {"reference": f"Patient/{patient_id}"}, "status": "accepted"}
        )
    return {
        "resourceType": "Appointment",
        "id": found.external_id,
        "identifier": [{"system": BOOKING_SYSTEM, "value": key}] if key else [],
        "status": "cancelled" if found.status == "cancelled" else "booked",
        "start": found.start.astimezone(zone).isoformat(),
        "end": found.end.astimezone(zone).isoformat(),
        "participant": participants,
    }


# --- slots ---------------------------------------------------------------------------


def slot_id(doctor_id: str, branch_id: str, start: datetime, end: datetime, status: str) -> str:
    minutes = int((end - start).total_seconds() // 60)
    stamp = start.astimezone(ZoneInfo("UTC")).strftime("%Y%m%d%H%M")
    return f"{schedule_id(doctor_id, branch_id)}.{stamp}.{minutes}.{SLOT_CODES[status]}"


def cut(
    mis: DemoMis, *, begins: datetime, ends: datetime, doctor_id: str = ""
) -> list[tuple[str, str, datetime, datetime, str]]:
    """(doctor, branch, start, end, status) pieces starting in [begins, ends).

    status: "busy" (one booked visit), "busy-unavailable" (a break) or
    "free" (free time of a shift, cut on the grid from the shift's start).
    """
    mis_zone = ZoneInfo(mis.time_zone)
    first = begins.astimezone(mis_zone).date() - timedelta(days=1)
    last = ends.astimezone(mis_zone).date() + timedelta(days=1)
    schedule = mis.schedule(start=first, end=last)
    closed: dict[str, list[tuple[datetime, datetime, str]]] = defaultdict(list)
    for interval in schedule.busy:
        closed[interval.doctor_id].append((interval.start, interval.end, "busy"))
    for interval in schedule.breaks:
        closed[interval.doctor_id].append((interval.start, interval.end, "busy-unavailable"))
    answer = []
    for work in schedule.work:
        if doctor_id and work.doctor_id != doctor_id:
            continue
        inside = sorted(c for c in closed[work.doctor_id] if work.start <= c[0] < work.end)
        for start, end, status in [*inside, *_free_pieces(work.start, work.end, inside)]:
            if begins <= start < ends:
                answer.append((work.doctor_id, work.branch_id, start, end, status))
    answer.sort(key=lambda piece: (piece[2], piece[0], piece[1]))
    return answer


def slots(
    mis: DemoMis,
    *,
    begins: datetime,
    ends: datetime,
    zone: ZoneInfo,
    doctor_id: str = "",
) -> list[dict]:
    """Slots starting in [begins, ends), of one doctor or of all, times written on `zone`."""
    return [
        {
            "resourceType": "Slot",
            "id": slot_id(doctor, branch, start, end, status),
            "schedule": {"reference": f"Schedule/{schedule_id(doctor, branch)}"},
            "status": status,
            "start": start.astimezone(zone).isoformat(),
            "end": end.astimezone(zone).isoformat(),
        }
        for doctor, branch, start, end, status in cut(
            mis, begins=begins, ends=ends, doctor_id=doctor_id
        )
    ]


def _free_pieces(
    start: datetime, end: datetime, closed: list[tuple[datetime, datetime, str]]
) -> list[tuple[datetime, datetime, str]]:
    """The time of [start, end) nothing closes, cut on the grid counted from `start`."""
    grid = timedelta(minutes=GRID_MINUTES)
    pieces = []
    cursor = start
    for closed_start, closed_end, _ in [*closed, (end, end, "")]:
        gap_end = min(closed_start, end)
        while cursor < gap_end:
            steps = (cursor - start) // grid + 1
            piece_end = min(start + steps * grid, gap_end)
            pieces.append((cursor, piece_end, "free"))
            cursor = piece_end
        cursor = max(cursor, closed_end)
    return pieces
