"""The demo clinic's patient registry: synthetic people, the same for every seed.

Every simulator serves this registry, so patient lookup is compared across
adapters. The first entries are the demo cabinet's: the demo patient, her
child (for proxy access) and a family sharing one phone (an ambiguous match
when the birth date is not given). The rest are generated.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from integrations.ports import Patient

DEMO_PATIENT = Patient(
    last_name="Демонстрационная",
    first_name="Пациентка",
    middle_name="Тестовна",
    phone="+79990000001",
    birth_date=date(1985, 4, 12),
    email="patient@example.invalid",
    external_id="pt-demo-0001",
    sex="female",
)
DEMO_CHILD = Patient(
    last_name="Демонстрационная",
    first_name="Алиса",
    middle_name="Петровна",
    phone="+79990000001",
    birth_date=date(2016, 6, 1),
    external_id="pt-demo-0002",
    sex="female",
)
# Two brothers with one phone: phone + surname alone cannot tell them apart.
FAMILY = (
    Patient(
        last_name="Образцов",
        first_name="Иван",
        middle_name="Сергеевич",
        phone="+79990000003",
        birth_date=date(1990, 1, 15),
        external_id="pt-demo-0003",
        sex="male",
    ),
    Patient(
        last_name="Образцов",
        first_name="Павел",
        middle_name="Сергеевич",
        phone="+79990000003",
        birth_date=date(1993, 9, 2),
        external_id="pt-demo-0004",
        sex="male",
    ),
)

_MALE = ("Алексей", "Дмитрий", "Максим", "Никита", "Артём", "Егор", "Кирилл", "Роман")
_FEMALE = ("Анна", "Мария", "Елена", "Ольга", "Дарья", "Ксения", "Вера", "Полина")
_SURNAMES = ("Условн", "Примерн", "Пробн", "Вымышлен", "Синтетическ", "Учебн")
_FATHERS = ("Андрее", "Викторо", "Олего", "Игоре")


def _generated(count: int = 40) -> tuple[Patient, ...]:
    rng = random.Random("demo-patients")  # noqa: S311 (synthetic data, not secrets)
    people = []
    for number in range(count):
        female = number % 2 == 1
        root = rng.choice(_SURNAMES)
        people.append(
            Patient(
                last_name=root + ("ая" if female else "ый"),
                first_name=rng.choice(_FEMALE if female else _MALE),
                middle_name=rng.choice(_FATHERS) + ("вна" if female else "вич"),
                phone=f"+7999100{number:04d}",
                birth_date=date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 70)),
                external_id=f"pt-demo-{number + 100:04d}",
                sex="female" if female else "male",
            )
        )
    return tuple(people)


PATIENTS: tuple[Patient, ...] = (DEMO_PATIENT, DEMO_CHILD, *FAMILY, *_generated())
