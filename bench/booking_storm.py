"""A booking storm against the real web stack on PostgreSQL.

Usage: .venv/bin/python bench/booking_storm.py [--attempts 600] [--clients 200]
Creates its own database, syncs the demo MIS, picks 50 free slots that do
not overlap, starts gunicorn (3 sync workers) and sends hold+confirm
attempts from concurrent clients at random slots among the 50. Prints:
confirmed bookings (at most one per slot, all 50 won), overlapping pairs
found by SQL (must be 0), attempts/s and bookings/s, p50/p95 latency, and
the same server's requests/s on a trivial database-backed view
(/api/v1/specialties/) measured in the same run with the same client.
"""

import argparse
import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import timedelta

from django.db import connection
from django.utils import timezone

import _setup
import httpx

from booking.selectors import default_service, next_free_slots
from catalog.models import Doctor
from clinic_site.cache import clear_own_cache
from integrations.mis import get_mis_adapter
from integrations.mis_sync import run_mis_sync

SLOTS = 50
OVERLAPS_SQL = """
    SELECT count(*) FROM booking_appointment a JOIN booking_appointment b
      ON a.doctor_id = b.doctor_id AND a.id < b.id
     AND tstzrange(a.start, a.blocked_until) && tstzrange(b.start, b.blocked_until)
     WHERE a.status IN ('held', 'awaiting', 'confirmed')
       AND b.status IN ('held', 'awaiting', 'confirmed')
"""
PATIENT = {"last_name": "Нагрузочный", "first_name": "Тест"}


def pick_slots() -> list[dict]:
    """50 free slots, no two of one doctor overlapping (so every one can be won)."""
    run_mis_sync(adapter=get_mis_adapter(), days=4)
    tomorrow = timezone.now() + timedelta(days=1)
    chosen = []
    for doctor in Doctor.objects.order_by("pk"):
        service = default_service(doctor)
        last_end = None
        for slot in next_free_slots(doctor=doctor, service=service, now=tomorrow, limit=60):
            if last_end is None or slot.start >= last_end + timedelta(minutes=10):
                chosen.append(
                    {"doctor": doctor.pk, "service": service.pk, "start": slot.start.isoformat()}
                )
                last_end = slot.end
            if sum(c["doctor"] == doctor.pk for c in chosen) >= 3 or len(chosen) >= SLOTS:
                break
        if len(chosen) >= SLOTS:
            return chosen
    raise SystemExit("not enough free slots in the demo clinic")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "clinic_site.wsgi",
            "--workers",
            "3",
            "--bind",
            f"127.0.0.1:{port}",
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ],
        cwd=_setup.ROOT,
        env={**os.environ, **_setup.ENV},
        start_new_session=True,
    )
    for _ in range(100):
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/specialties/", timeout=2)
            return server
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


async def storm(base: str, slots: list[dict], attempts: int, clients: int):
    rng = random.Random(2026)
    plan = [rng.choice(slots) for _ in range(attempts)]
    queue: asyncio.Queue = asyncio.Queue()
    for number, slot in enumerate(plan):
        queue.put_nowait((number, slot))
    latencies, outcomes = [], {"confirmed": 0, "taken": 0, "other": 0}

    async def client(http: httpx.AsyncClient):
        while not queue.empty():
            number, slot = queue.get_nowait()
            # Each attempt is another patient (the per-phone limits are not the subject here).
            patient = {**PATIENT, "phone": f"+7999{number:07d}"}
            began = time.perf_counter()
            hold = await http.post(
                f"{base}/api/v1/holds/", json={**slot, "idempotency_key": uuid.uuid4().hex}
            )
            if hold.status_code == 201:
                held = hold.json()
                confirm = await http.post(
                    f"{base}/api/v1/appointments/{held['id']}/confirm/",
                    json={"token": held["token"], "patient": patient},
                )
                ok = confirm.status_code in (200, 202)
                outcomes["confirmed" if ok else "other"] += 1
            elif hold.status_code == 409:
                outcomes["taken"] += 1
            else:
                outcomes["other"] += 1
            latencies.append((time.perf_counter() - began) * 1000)

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=60) as http:
        began = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        elapsed = time.perf_counter() - began
    return outcomes, latencies, elapsed


async def trivial(base: str, clients: int, seconds: float):
    done = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=60) as http:

        async def client():
            nonlocal done
            while time.perf_counter() < deadline:
                response = await http.get(f"{base}/api/v1/specialties/")
                assert response.status_code == 200
                done += 1

        began = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        return done / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attempts", type=int, default=600)
    parser.add_argument("--clients", type=int, default=200)
    args = parser.parse_args()
    slots = pick_slots()
    port = free_port()
    server = start_server(port)
    base = f"http://127.0.0.1:{port}"
    try:
        outcomes, latencies, elapsed = asyncio.run(storm(base, slots, args.attempts, args.clients))
        ceiling = asyncio.run(trivial(base, args.clients, 10))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(DISTINCT (doctor_id, start)) FROM booking_appointment "
            "WHERE status IN ('confirmed', 'awaiting')"
        )
        confirmed, distinct = cursor.fetchone()
        cursor.execute(OVERLAPS_SQL)
        overlaps = cursor.fetchone()[0]
    clear_own_cache()
    attempts_per_s = args.attempts / elapsed
    print(
        f"booking storm: {args.attempts} hold+confirm attempts from {args.clients} clients "
        f"at {SLOTS} slots, gunicorn 3 sync workers, PostgreSQL"
    )
    print(
        f"  confirmed bookings: {confirmed} ({distinct} distinct slots of {SLOTS}); "
        f"answers: {outcomes}"
    )
    print(f"  overlapping pairs (SQL): {overlaps}")
    print(
        f"  attempts/s: {attempts_per_s:.0f}   bookings/s: {confirmed / elapsed:.1f}   "
        f"({elapsed:.1f} s in all)"
    )
    print(f"  attempt latency: {_setup.summary(latencies)}")
    print(
        f"  trivial DB view, same server and client: {ceiling:.0f} requests/s   "
        f"ratio attempts/s : trivial = {attempts_per_s / ceiling:.2f} (target >= 0.5)"
    )
    if confirmed != SLOTS or distinct != SLOTS or overlaps:
        raise SystemExit("FAILED: every slot must be won exactly once, with no overlap")


if __name__ == "__main__":
    main()
