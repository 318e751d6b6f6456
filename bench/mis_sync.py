"""MIS sync from every MIS simulator: a full sync into an empty catalog and an
incremental one that finds nothing changed, for a clinic of 200 doctors x 14 days.

Usage: .venv/bin/python bench/mis_sync.py [--doctors 200] [--days 14] [--runs 3]
                                         [--systems demo,medialog,...]
Creates its own PostgreSQL database. Each networked simulator runs as its own
process (`python -m integrations.simulators.<name> --doctors N`), so the
server does not share the bench's interpreter. Prints per system: seconds
(median of --runs), rows written and SQL queries of the full sync, then the
same of the incremental sync, whose rows written must be 0 (asserted).
Every run happens inside a transaction that is rolled back: each system
starts from an empty catalog.

Adding a system is one line in SYSTEMS: its simulator module (None for an
in-process adapter) and how to build its adapter for a port.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

import _setup  # sets up the database first (before any model is used)

from integrations.mis.demo import DemoMis
from integrations.mis.fhir import FhirMis
from integrations.mis.infoclinica import InfoclinicaMis
from integrations.mis.medialog import MedialogMis
from integrations.mis.n3 import N3Mis
from integrations.mis.onec import OnecMis
from integrations.mis.sync import run_mis_sync
from integrations.ports import MisAdapter
from integrations.simulators.n3 import Knobs as N3Knobs
from integrations.simulators.onec import ROOT as ONEC_ROOT

TIMEOUT = 300.0  # a 200-doctor directory is a large answer; the bench measures, not gives up


@dataclass(frozen=True)
class System:
    simulator: str | None  # module run with `python -m`, None: in-process
    adapter: Callable[[int, Path, int], MisAdapter]  # (port, work dir, doctors) -> adapter


SYSTEMS: dict[str, System] = {
    "demo": System(None, lambda port, tmp, n: DemoMis(doctors=n, store=tmp / "demo.sqlite3")),
    "medialog": System(
        "integrations.simulators.medialog",
        lambda port, tmp, n: MedialogMis(
            url=f"http://127.0.0.1:{port}/medialog/PlanningService",
            user="medialog",
            password="medialog",  # noqa: S106 - the simulator's demo login
            timeout=TIMEOUT,
        ),
    ),
    "n3": System(
        "integrations.simulators.n3",
        lambda port, tmp, n: N3Mis(
            url=f"http://127.0.0.1:{port}/n3/HubService", guid=N3Knobs.guid, timeout=TIMEOUT
        ),
    ),
    "fhir": System(
        "integrations.simulators.fhir",
        lambda port, tmp, n: FhirMis(
            url=f"http://127.0.0.1:{port}/fhir",
            token="fhir-demo-token",  # noqa: S106 - the simulator's demo token
            timeout=TIMEOUT,
        ),
    ),
    "infoclinica": System(
        "integrations.simulators.infoclinica",
        lambda port, tmp, n: InfoclinicaMis(
            url=f"http://127.0.0.1:{port}",
            client_id="site",
            client_key="infoclinica",
            timeout=TIMEOUT,
        ),
    ),
    "onec": System(
        "integrations.simulators.onec",
        lambda port, tmp, n: OnecMis(
            url=f"http://127.0.0.1:{port}{ONEC_ROOT}",
            user="site",
            password="onec",  # noqa: S106 - the simulator's demo login
            timeout=TIMEOUT,
        ),
    ),
}


class _Rollback(Exception):
    pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(process.stderr.read().decode())
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the simulator on port {port} did not start")


def _sync(adapter: MisAdapter, days: int) -> tuple[float, int, int]:
    """(seconds, rows written, queries) of one sync."""
    with CaptureQueriesContext(connection) as queries:
        began = time.perf_counter()
        report = run_mis_sync(adapter=adapter, days=days)
        seconds = time.perf_counter() - began
    return seconds, report.written, len(queries.captured_queries)


def _rolled_back(call: Callable[[], tuple[float, int, int]]) -> tuple[float, int, int]:
    result: tuple[float, int, int] = (0.0, 0, 0)
    try:
        with transaction.atomic():
            result = call()
            raise _Rollback
    except _Rollback:
        pass
    return result


def bench(name: str, system: System, *, doctors: int, days: int, runs: int) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix=f"bench-mis-{name}-"))
    port = _free_port()
    process = None
    if system.simulator:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        process = subprocess.Popen(
            [sys.executable, "-m", system.simulator, "--port", str(port)]
            + ["--store", str(tmp / "sim.sqlite3"), "--doctors", str(doctors)],
            cwd=_setup.ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _wait_for(port, process)
    try:
        adapter = system.adapter(port, tmp, doctors)
        assert len(adapter.doctors()) == doctors, name
        full = [_rolled_back(lambda: _sync(adapter, days)) for _ in range(runs)]

        def incremental_runs() -> tuple[float, int, int]:
            _sync(adapter, days)  # the baseline: everything stored once
            again = [_sync(adapter, days) for _ in range(runs)]
            assert all(written == 0 for _, written, _ in again), (name, again)
            return statistics.median(s for s, _, _ in again), again[0][1], again[0][2]

        incremental = _rolled_back(incremental_runs)
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=10)
    return {
        "full": (statistics.median(s for s, _, _ in full), full[0][1], full[0][2]),
        "incremental": incremental,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--doctors", type=int, default=200)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    args = parser.parse_args()
    print(
        f"MIS sync, {args.doctors} doctors x {args.days} days, median of {args.runs} runs "
        f"(each simulator in its own process)\n"
    )
    print(f"{'system':<12} {'sync':<12} {'seconds':>8} {'rows written':>13} {'queries':>8}")
    for name in args.systems.split(","):
        result = bench(name, SYSTEMS[name], doctors=args.doctors, days=args.days, runs=args.runs)
        for kind in ("full", "incremental"):
            seconds, written, queries = result[kind]
            print(f"{name:<12} {kind:<12} {seconds:8.2f} {written:13d} {queries:8d}")
        sys.stdout.flush()
    _setup.drop()


if __name__ == "__main__":
    main()
