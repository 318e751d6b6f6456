"""Free-slot endpoint for a specialty with 40 doctors over 14 days: cold and warm cache.

Usage: .venv/bin/python bench/slot_search.py
Creates its own PostgreSQL database, 40 doctors of one specialty with 14
days of schedule (lunch breaks, ~40% booked), then times
GET /api/v1/slots/?specialty=<id>&date_from=..&date_to=.. through Django's
test client (server time, no network): cold (cache cleared before each
request) and warm. Target: p95 warm <= 20 ms.
"""

import random
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.test import Client

import _setup  # noqa: F401 - sets up the database first

from booking.models import ScheduleInterval
from catalog.models import Branch, Doctor, Service, Specialty
from clinic_site.cache import clear_own_cache

DOCTORS, DAYS = 40, 14


def make_clinic() -> Specialty:
    rng = random.Random(1)
    zone = ZoneInfo("Europe/Moscow")
    branch = Branch.objects.create(
        external_id="b", name="Филиал", address="-", phone="-", time_zone="Europe/Moscow"
    )
    specialty = Specialty.objects.create(external_id="sp", name="Терапия")
    service = Service.objects.create(
        external_id="sv",
        code="B01.047.001",
        name="Приём",
        specialty=specialty,
        duration_minutes=30,
        price=2500,
    )
    rows = []
    today = datetime.now(zone).date()
    for n in range(DOCTORS):
        doctor = Doctor.objects.create(external_id=f"d{n}", last_name=f"Врач{n}", first_name="Тест")
        doctor.specialties.add(specialty)
        doctor.services.add(service)
        doctor.branches.add(branch)
        for d in range(DAYS):
            day: date = today + timedelta(days=d)

            def at(h, m=0, day=day):
                return datetime(day.year, day.month, day.day, h, m, tzinfo=zone).astimezone(UTC)

            rows.append(
                ScheduleInterval(doctor=doctor, kind="work", branch=branch, start=at(9), end=at(18))
            )
            rows.append(ScheduleInterval(doctor=doctor, kind="break", start=at(13), end=at(14)))
            for half_hour in range(18):
                if rng.random() < 0.4 and half_hour not in (8, 9):
                    start = at(9) + timedelta(minutes=30 * half_hour)
                    rows.append(
                        ScheduleInterval(
                            doctor=doctor,
                            kind="busy",
                            start=start,
                            end=start + timedelta(minutes=30),
                        )
                    )
    ScheduleInterval.objects.bulk_create(rows)
    return specialty


def timed(client: Client, url: str) -> float:
    began = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - began) * 1000
    assert response.status_code == 200, response.content[:300]
    return elapsed


def measure(client: Client, url: str) -> tuple[int, list[float], list[float]]:
    count = len(client.get(url).json())
    cold = []
    for _ in range(15):
        clear_own_cache()
        cold.append(timed(client, url))
    timed(client, url)
    warm = [timed(client, url) for _ in range(100)]
    return count, cold, warm


def main() -> None:
    specialty = make_clinic()
    today = date.today()
    client = Client()
    print(f"free slots of a specialty: {DOCTORS} doctors x {DAYS} days")
    for limit in (50, 500):
        url = (
            f"/api/v1/slots/?specialty={specialty.pk}&date_from={today}"
            f"&date_to={today + timedelta(days=DAYS - 1)}&limit={limit}"
        )
        count, cold, warm = measure(client, url)
        print(f"  limit={limit} ({count} slots returned, nearest first)")
        print(f"    cold cache: {_setup.summary(cold)}")
        print(f"    warm cache: {_setup.summary(warm)}   target p95 <= 20 ms")


if __name__ == "__main__":
    main()
