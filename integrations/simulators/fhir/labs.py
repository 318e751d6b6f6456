"""Synthetic lab reports (DiagnosticReport + Observation) and visits (Encounter +
Condition) of the demo patients.

Deterministic from (seed, patient, today): the same clinic day gives the same
reports. Values are drawn around each analyte's reference range, a few of
them outside it, so the cabinet has something to flag. All data synthetic.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from integrations.protocols.fhir import LOINC, NOMENCLATURE

# loinc, name, unit, low, high, decimals
_PANELS = {
    "B03.016.003": (
        "Общий анализ крови с лейкоцитарной формулой",
        (
            ("718-7", "Гемоглобин", "г/л", 120, 160, 0),
            ("789-8", "Эритроциты", "10^12/л", 3.8, 5.1, 2),
            ("6690-2", "Лейкоциты", "10^9/л", 4.0, 9.0, 1),
            ("777-3", "Тромбоциты", "10^9/л", 150, 400, 0),
            ("4544-3", "Гематокрит", "%", 35, 45, 1),
            ("30341-2", "СОЭ", "мм/ч", 2, 20, 0),
        ),
    ),
    "A09.05.023": ("Глюкоза в крови", (("2345-7", "Глюкоза", "ммоль/л", 4.1, 5.9, 1),)),
    "B03.016.005": (
        "Липидный профиль",
        (
            ("2093-3", "Холестерин общий", "ммоль/л", 3.0, 5.2, 2),
            ("2085-9", "ЛПВП", "ммоль/л", 1.2, 2.5, 2),
            ("13457-7", "ЛПНП", "ммоль/л", 1.5, 3.0, 2),
            ("2571-8", "Триглицериды", "ммоль/л", 0.5, 1.7, 2),
        ),
    ),
    "A09.05.065": ("Тиреотропный гормон (ТТГ)", (("3016-3", "ТТГ", "мЕд/л", 0.4, 4.0, 2),)),
}
_QUALITATIVE = ("A26.06.036", "Антитела к гепатиту C (anti-HCV)", "13955-0", "anti-HCV")
# days before today each report was collected, and which panel
_HISTORY = (
    (3, "B03.016.003"),
    (3, "A09.05.023"),
    (45, "B03.016.005"),
    (120, "A09.05.065"),
    (200, "B03.016.003"),
    (200, _QUALITATIVE[0]),
)
PATIENTS_WITH_LABS = ("pt-demo-0001", "pt-demo-0002")


def lab_resources(*, seed: int, patient_id: str, today: date, zone: ZoneInfo) -> list[dict]:
    """DiagnosticReports of the patient, newest first, each followed by its Observations."""
    if patient_id not in PATIENTS_WITH_LABS:
        return []
    rng = random.Random(f"{seed}:labs:{patient_id}")  # noqa: S311 - synthetic data
    resources = []
    for number, (days_ago, code) in enumerate(_HISTORY):
        day = today - timedelta(days=days_ago)
        collected = datetime.combine(day, time(8, 10 + number), tzinfo=zone)
        issued = collected + timedelta(hours=rng.randrange(6, 30))
        report_id = f"lab-{patient_id}-{number + 1}"
        observations = _observations(rng, code, report_id, patient_id, issued)
        title = _PANELS[code][0] if code in _PANELS else _QUALITATIVE[1]
        report = {
            "resourceType": "DiagnosticReport",
            "id": report_id,
            "status": "final",
            "category": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/v2-0074",
                            "code": "LAB",
                        }
                    ]
                }
            ],
            "code": {"coding": [{"system": NOMENCLATURE, "code": code}], "text": title},
            "subject": {"reference": f"Patient/{patient_id}"},
            "effectiveDateTime": collected.isoformat(),
            "issued": issued.isoformat(),
            "result": [{"reference": f"Observation/{o['id']}"} for o in observations],
        }
        flagged = [o["code"]["text"] for o in observations if o.get("interpretation")]
        if flagged:
            report["conclusion"] = "Вне референсного интервала: " + ", ".join(flagged) + "."
        resources.append(report)
        resources += observations
    return resources


def _observations(
    rng: random.Random, code: str, report_id: str, patient_id: str, issued: datetime
) -> list[dict]:
    common = {
        "resourceType": "Observation",
        "status": "final",
        "subject": {"reference": f"Patient/{patient_id}"},
        "issued": issued.isoformat(),
    }
    if code not in _PANELS:
        _, _, loinc, name = _QUALITATIVE
        return [
            {
                **common,
                "id": f"{report_id}-1",
                "code": {"coding": [{"system": LOINC, "code": loinc}], "text": name},
                "valueString": "отрицательно",
            }
        ]
    answer = []
    for index, (loinc, name, unit, low, high, decimals) in enumerate(_PANELS[code][1]):
        span = high - low
        value = round(rng.uniform(low - span * 0.2, high + span * 0.25), decimals)
        value = int(value) if decimals == 0 else value
        observation = {
            **common,
            "id": f"{report_id}-{index + 1}",
            "code": {"coding": [{"system": LOINC, "code": loinc}], "text": name},
            "valueQuantity": {"value": value, "unit": unit},
            "referenceRange": [
                {"low": {"value": low, "unit": unit}, "high": {"value": high, "unit": unit}}
            ],
        }
        if not low <= value <= high:
            observation["interpretation"] = [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                            "code": "L" if value < low else "H",
                        }
                    ]
                }
            ]
        answer.append(observation)
    return answer


# --- visits: Encounter + Condition ------------------------------------------------

ICD10 = "http://hl7.org/fhir/sid/icd-10"
# days before today, doctor, branch, protocol paragraphs, diagnoses (ICD-10 code, name)
_VISITS = (
    (
        4,
        "dr-047-1",
        "br-msk",
        (
            "Жалобы: слабость, утомляемость в течение месяца.",
            "Объективно: состояние удовлетворительное, АД 125/80 мм рт. ст.",
            "Рекомендовано: общий анализ крови, глюкоза крови; повторный приём с результатами.",
        ),
        (("R53", "Недомогание и утомляемость"),),
    ),
    (
        46,
        "dr-015-1",
        "br-msk",
        (
            "Жалобы: эпизоды повышения АД до 150/95 мм рт. ст.",
            "ЭКГ: синусовый ритм, ЧСС 72 в минуту.",
            "Рекомендовано: липидный профиль, контроль АД дома.",
        ),
        (("I10", "Эссенциальная (первичная) гипертензия"), ("E78.0", "Чистая гиперхолестеринемия")),
    ),
    (
        121,
        "dr-058-1",
        "br-spb",
        (
            "Жалобы: сухость кожи, зябкость.",
            "Щитовидная железа не увеличена, узлы не пальпируются.",
            "Рекомендовано: ТТГ.",
        ),
        (("E07.9", "Болезнь щитовидной железы неуточнённая"),),
    ),
)


def visit_resources(*, patient_id: str, today: date, zone: ZoneInfo) -> list[dict]:
    """Encounters of the patient, newest first, each followed by its Conditions."""
    if patient_id not in PATIENTS_WITH_LABS:
        return []
    resources = []
    for number, (days_ago, doctor, branch, protocol, diagnoses) in enumerate(_VISITS):
        start = datetime.combine(today - timedelta(days=days_ago), time(10, 30), tzinfo=zone)
        encounter_id = f"enc-{patient_id}-{number + 1}"
        conditions = [
            {
                "resourceType": "Condition",
                "id": f"{encounter_id}-{index + 1}",
                "code": {"coding": [{"system": ICD10, "code": code, "display": name}]},
                "subject": {"reference": f"Patient/{patient_id}"},
                "encounter": {"reference": f"Encounter/{encounter_id}"},
                "recordedDate": start.isoformat(),
            }
            for index, (code, name) in enumerate(diagnoses)
        ]
        paragraphs = "".join(f"<p>{line}</p>" for line in protocol)
        resources.append(
            {
                "resourceType": "Encounter",
                "id": encounter_id,
                "status": "finished",
                "class": {
                    "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                    "code": "AMB",
                },
                "text": {
                    "status": "generated",
                    "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{paragraphs}</div>',
                },
                "subject": {"reference": f"Patient/{patient_id}"},
                "participant": [{"individual": {"reference": f"Practitioner/{doctor}"}}],
                "location": [{"location": {"reference": f"Location/{branch}"}}],
                "period": {
                    "start": start.isoformat(),
                    "end": (start + timedelta(minutes=30)).isoformat(),
                },
                "diagnosis": [
                    {"condition": {"reference": f"Condition/{c['id']}"}, "rank": index + 1}
                    for index, c in enumerate(conditions)
                ],
            }
        )
        resources += conditions
    return resources
