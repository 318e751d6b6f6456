"""A booking storm against the real web stack on PostgreSQL.

Usage: .venv/bin/python bench/booking_storm.py [--attempts 600] [--clients 200] [--rounds 5]
Creates its own database, syncs the demo MIS, starts gunicorn (3 sync
workers; STORM_WORKERS changes it), warms it up (150 attempts on a day of
their own and a second of the trivial view, not counted: every worker imports
and connects once, as on a server that has been up a while) and runs
rounds. Each round picks 50
free slots of its own day that do not overlap, sends hold+confirm attempts
from concurrent clients at random slots among the 50, then measures the same
server's requests/s on a trivial database-backed view (/api/v1/specialties/)
with the same client. Prints per round: confirmed bookings (at most one per
slot, all 50 won), attempts/s and bookings/s, trivial requests/s and the
ratio; then overlapping pairs found by SQL (must be 0), p50/p95 latency, and
the medians of attempts/s and of the trivial view's requests/s with their
ratio (interleaving the two and taking medians tames a noisy machine).
"""

import argparse
import asyncio
import os
import random
import signal
import socket
import statistics
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
from integrations.mis.sync import run_mis_sync

SLOTS = 50
WORKERS = int(os.environ.get("STORM_WORKERS", "3"))
OVERLAPS_SQL = """
    SELECT count(*) FROM booking_appointment a JOIN booking_appointment b
      ON a.doctor_id = b.doctor_id AND a.id < b.id
     AND tstzrange(a.start, a.blocked_until) && tstzrange(b.start, b.blocked_until)
     WHERE a.status IN ('held', 'awaiting', 'confirmed')
       AND b.status IN ('held', 'awaiting', 'confirmed')
"""
PATIENT = {"last_name": "Нагрузочный", "first_name": "Тест"}


def pick_slots(days_ahead: int) -> list[dict] | None:
    """50 free slots in the 24 hours from `days_ahead` days from now, no two of
    one doctor overlapping (so every one can be won); None if the day has fewer."""
    day = timezone.now() + timedelta(days=days_ahead)
    chosen = []
    for doctor in Doctor.objects.order_by("pk"):
        service = default_service(doctor)
        last_end = None
        for slot in next_free_slots(doctor=doctor, service=service, now=day, days=1, limit=60):
            if last_end is None or slot.start >= last_end + timedelta(minutes=10):
                chosen.append(
                    {"doctor": doctor.pk, "service": service.pk, "start": slot.start.isoformat()}
                )
                last_end = slot.end
            if sum(c["doctor"] == doctor.pk for c in chosen) >= 3 or len(chosen) >= SLOTS:
                break
        if len(chosen) >= SLOTS:
            return chosen
    return None


def pick_days(count: int) -> list[list[dict]]:
    """Slots for `count` days of their own (days the clinic is closed are skipped)."""
    picked = []
    for days_ahead in range(1, 3 * count + 3):
        slots = pick_slots(days_ahead)
        if slots:
            picked.append(slots)
        if len(picked) == count:
            return picked
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
            str(WORKERS),
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


async def storm(base: str, slots: list[dict], attempts: int, clients: int, first_patient: int):
    rng = random.Random(2026)
    plan = [rng.choice(slots) for _ in range(attempts)]
    queue: asyncio.Queue = asyncio.Queue()
    for number, slot in enumerate(plan, first_patient):
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
                    json={"token": held["token"], "patient": patient, "consent": True},
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


def won(slots: list[dict]) -> tuple[int, int]:
    """Active bookings (awaiting or confirmed) at these slots, and how many distinct slots."""
    wanted = {(slot["doctor"], slot["start"]) for slot in slots}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT doctor_id, start FROM booking_appointment "
            "WHERE status IN ('confirmed', 'awaiting')"
        )
        rows = [
            (doctor, start)
            for doctor, start in cursor.fetchall()
            if (doctor, start.isoformat()) in wanted
        ]
    return len(rows), len(set(rows))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attempts", type=int, default=600)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--trivial-seconds", type=float, default=6)
    args = parser.parse_args()
    run_mis_sync(adapter=get_mis_adapter(), days=3 * args.rounds + 4)
    *rounds, warm_up = pick_days(args.rounds + 1)  # the warm-up's day is not counted
    port = free_port()
    server = start_server(port)
    base = f"http://127.0.0.1:{port}"
    results = []
    try:
        # Every worker imports, connects and fills its caches once, as a
        # server that has been up a while has.
        asyncio.run(storm(base, warm_up, 150, 20, args.rounds * args.attempts))
        asyncio.run(trivial(base, 20, 1))
        for number, slots in enumerate(rounds):
            outcomes, latencies, elapsed = asyncio.run(
                storm(base, slots, args.attempts, args.clients, number * args.attempts)
            )
            ceiling = asyncio.run(trivial(base, args.clients, args.trivial_seconds))
            results.append((slots, outcomes, latencies, elapsed, ceiling))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    with connection.cursor() as cursor:
        cursor.execute(OVERLAPS_SQL)
        overlaps = cursor.fetchone()[0]
    clear_own_cache()
    print(
        f"booking storm: {args.rounds} rounds of {args.attempts} hold+confirm attempts from "
        f"{args.clients} clients at {SLOTS} slots (a new day each round), each followed by "
        f"{args.trivial_seconds:.0f} s on a trivial DB view; gunicorn {WORKERS} sync workers, "
        "PostgreSQL"
    )
    failed = bool(overlaps)
    rates, ceilings, all_latencies = [], [], []
    for number, (slots, outcomes, latencies, elapsed, ceiling) in enumerate(results, 1):
        confirmed, distinct = won(slots)
        failed |= confirmed != SLOTS or distinct != SLOTS
        rate = args.attempts / elapsed
        rates.append(rate)
        ceilings.append(ceiling)
        all_latencies += latencies
        print(
            f"  round {number}: confirmed {confirmed} ({distinct} distinct slots of {SLOTS}); "
            f"answers {outcomes}; {rate:.0f} attempts/s, {confirmed / elapsed:.1f} bookings/s; "
            f"trivial {ceiling:.0f} req/s; ratio {rate / ceiling:.2f}"
        )
    print(f"  overlapping pairs (SQL, all rounds): {overlaps}")
    print(f"  attempt latency (all rounds): {_setup.summary(all_latencies)}")
    rate, ceiling = statistics.median(rates), statistics.median(ceilings)
    print(
        f"  median attempts/s {rate:.0f}; median trivial DB view {ceiling:.0f} req/s "
        f"(same server and client); ratio {rate / ceiling:.2f} (target >= 0.5)"
    )
    if failed:
        raise SystemExit("FAILED: every slot must be won exactly once, with no overlap")


if __name__ == "__main__":
    main()
