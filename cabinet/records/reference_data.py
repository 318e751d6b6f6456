"""The clinic's reference ranges for the analytes it reports (adults and children).

Typical values of Russian clinical laboratories; a lab's own range, when it
sends one, always wins over these for normal limits. Codes are LOINC.
(code, name, unit, sex, age_from, age_to, low, high, critical_low, critical_high)
"""

from __future__ import annotations

from decimal import Decimal

F, M, ANY = "female", "male", ""
ADULT = (18, 150)
CHILD = (1, 18)


def _d(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


RANGES: tuple[tuple, ...] = (
    # Complete blood count
    ("718-7", "Гемоглобин", "г/л", F, *ADULT, "120", "150", "70", "200"),
    ("718-7", "Гемоглобин", "г/л", M, *ADULT, "130", "170", "70", "200"),
    ("718-7", "Гемоглобин", "г/л", ANY, *CHILD, "115", "155", "70", "200"),
    ("6690-2", "Лейкоциты", "10⁹/л", ANY, *ADULT, "4.0", "9.0", "2.0", "30"),
    ("6690-2", "Лейкоциты", "10⁹/л", ANY, *CHILD, "4.5", "13.5", "2.0", "30"),
    ("789-8", "Эритроциты", "10¹²/л", F, *ADULT, "3.8", "5.1", None, None),
    ("789-8", "Эритроциты", "10¹²/л", M, *ADULT, "4.3", "5.7", None, None),
    ("789-8", "Эритроциты", "10¹²/л", ANY, *CHILD, "3.9", "5.3", None, None),
    ("777-3", "Тромбоциты", "10⁹/л", ANY, *ADULT, "150", "400", "50", "1000"),
    ("777-3", "Тромбоциты", "10⁹/л", ANY, *CHILD, "150", "450", "50", "1000"),
    ("30341-2", "СОЭ", "мм/ч", F, *ADULT, "2", "20", None, None),
    ("30341-2", "СОЭ", "мм/ч", M, *ADULT, "2", "15", None, None),
    ("30341-2", "СОЭ", "мм/ч", ANY, *CHILD, "2", "10", None, None),
    # Biochemistry
    ("2345-7", "Глюкоза", "ммоль/л", ANY, *ADULT, "3.9", "5.5", "2.5", "25"),
    ("2345-7", "Глюкоза", "ммоль/л", ANY, *CHILD, "3.3", "5.6", "2.5", "25"),
    ("4548-4", "Гликированный гемоглобин (HbA1c)", "%", ANY, *ADULT, "4.0", "6.0", None, None),
    ("2093-3", "Холестерин общий", "ммоль/л", ANY, *ADULT, "3.0", "5.2", None, None),
    ("2093-3", "Холестерин общий", "ммоль/л", ANY, *CHILD, "3.0", "5.2", None, None),
    ("13457-7", "Холестерин ЛПНП", "ммоль/л", ANY, *ADULT, "0", "3.0", None, None),
    ("2085-9", "Холестерин ЛПВП", "ммоль/л", F, *ADULT, "1.2", None, None, None),
    ("2085-9", "Холестерин ЛПВП", "ммоль/л", M, *ADULT, "1.0", None, None, None),
    ("2571-8", "Триглицериды", "ммоль/л", ANY, *ADULT, "0", "1.7", None, "11.3"),
    ("2160-0", "Креатинин", "мкмоль/л", F, *ADULT, "53", "97", None, "500"),
    ("2160-0", "Креатинин", "мкмоль/л", M, *ADULT, "62", "115", None, "500"),
    # Thyroid
    ("3016-3", "ТТГ", "мМЕ/л", ANY, *ADULT, "0.4", "4.0", "0.01", "50"),
    ("3016-3", "ТТГ", "мМЕ/л", ANY, *CHILD, "0.7", "5.97", "0.01", "50"),
    ("3024-7", "Т4 свободный", "пмоль/л", ANY, *ADULT, "9.0", "19.0", None, None),
    ("3024-7", "Т4 свободный", "пмоль/л", ANY, *CHILD, "10.0", "23.0", None, None),
    # Vitamins and iron
    ("2276-4", "Ферритин", "мкг/л", F, *ADULT, "10", "120", None, None),
    ("2276-4", "Ферритин", "мкг/л", M, *ADULT, "20", "250", None, None),
    ("1989-3", "Витамин D (25-OH)", "нг/мл", ANY, *ADULT, "30", "100", "10", "150"),
)


def seed_reference_ranges(model) -> int:
    """Create or update every range (model: ReferenceRange, real or historical)."""
    written = 0
    for code, name, unit, sex, age_from, age_to, low, high, crit_low, crit_high in RANGES:
        model.objects.update_or_create(
            code=code,
            sex=sex,
            age_from=age_from,
            defaults={
                "name": name,
                "unit": unit,
                "age_to": age_to,
                "low": _d(low),
                "high": _d(high),
                "critical_low": _d(crit_low),
                "critical_high": _d(crit_high),
            },
        )
        written += 1
    return written
