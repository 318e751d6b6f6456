"""Test data made with factory_boy: people of the cabinet (synthetic names only).

child = ChildFactory(first_name="Алиса")            # a patient without an account
ProxyAccessFactory(parent=user, child=child)         # a verified grant to a parent
ProxyAccessFactory(parent=user, child__age=7)        # ... for a new seven-year-old
"""

from datetime import date

import factory
from factory.django import DjangoModelFactory, Password

from cabinet.accounts.models import Patient, User
from cabinet.proxies.models import ProxyAccess


def years_ago(years: int, *, today: date | None = None) -> date:
    today = today or date.today()
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user-{n}")
    phone = factory.Sequence(lambda n: f"+7999555{n:04d}")
    password = Password("Parol-2026!")


class PatientFactory(DjangoModelFactory):
    """A patient of the MIS known to the cabinet (an adult without an account)."""

    class Meta:
        model = Patient

    class Params:
        age = 40

    mis_id = factory.Sequence(lambda n: f"pt-test-{n:04d}")
    last_name = "Тестова"
    first_name = "Анна"
    birth_date = factory.LazyAttribute(lambda o: years_ago(o.age))


class ChildFactory(PatientFactory):
    """A child seen only through a parent's proxy."""

    class Params:
        age = 7

    first_name = "Ребёнок"


class ProxyAccessFactory(DjangoModelFactory):
    """A verified grant: `parent` opens `child`'s cabinet data until the 15th birthday."""

    class Meta:
        model = ProxyAccess

    parent = factory.SubFactory(UserFactory)
    child = factory.SubFactory(ChildFactory)
    document_note = "свидетельство о рождении (синтетика)"
