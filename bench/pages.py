"""Page speed of the public site: server time (warm) and Lighthouse scores.

Usage:
  .venv/bin/python bench/pages.py [--requests 200] [--lighthouse] [--runs 1]

Runs against the database the environment names (by default the embedded
SQLite of `make run`; DATABASE_URL=postgres://... for PostgreSQL), after
`manage.py load_demo`. Server time is measured in-process through Django's
full middleware stack (no network), after a warm-up, for the home page, a
service page, the doctor finder, a doctor page and a lab test page; it prints p50 and p95 in ms
twice: as anonymous visitors get them (the page cache) and rendered afresh.

--lighthouse starts the site on a free port (`manage.py runserver`, as `make
run` does), runs npm's `lighthouse` (mobile preset, simulated throttling)
with Debian's Chromium on each of the pages and prints the four
category scores. CHROME_PATH defaults to /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage "
    "--disable-background-networking --disable-component-update --disable-sync --no-first-run"
)
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic_site.settings")
    import django

    django.setup()


def bench_paths() -> dict[str, str]:
    from clinic_pages.models import DoctorIndexPage, DoctorPage, LabTestPage, ServicePage

    return {
        "home": "/",
        "finder": DoctorIndexPage.objects.live().first().url,
        "service": ServicePage.objects.live().order_by("pk").first().url,
        "doctor": DoctorPage.objects.live().order_by("pk").first().url,
        "lab test": LabTestPage.objects.live().order_by("pk").first().url,
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def server_times(
    paths: dict[str, str], requests: int, *, rendered: bool = False
) -> dict[str, tuple[float, float]]:
    """Anonymous visits (answered by the page cache), or with `rendered` every page
    rendered afresh (a session cookie keeps the cache out, as for an editor)."""
    from django.conf import settings
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    if rendered:
        client.cookies[settings.SESSION_COOKIE_NAME] = "bench-no-such-session"
    results = {}
    for name, path in paths.items():
        for _ in range(10):  # warm: templates compiled, caches filled, connections open
            assert client.get(path).status_code == 200, path
        times = []
        for _ in range(requests):
            began = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - began) * 1000)
        results[name] = (statistics.median(times), percentile(times, 0.95))
    return results


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def lighthouse(paths: dict[str, str], runs: int) -> dict[str, dict[str, int]]:
    if not LIGHTHOUSE.exists():
        raise SystemExit("npm's lighthouse is missing: run `npm ci` (it is a devDependency)")
    port = free_port()
    env = dict(os.environ)  # the settings of `make run` (media served in development)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/", timeout=2)  # noqa: S310 - loopback
                break
            except OSError:
                time.sleep(0.2)
        scores: dict[str, dict[str, int]] = {}
        for name, path in paths.items():
            best: dict[str, int] = {}
            for _ in range(runs):
                report = _run_lighthouse(base + path)
                for category in CATEGORIES:
                    score = round(100 * (report["categories"][category]["score"] or 0))
                    best[category] = max(best.get(category, 0), score)
            scores[name] = best
        return scores
    finally:
        server.terminate()
        server.wait(timeout=10)


def _run_lighthouse(url: str) -> dict:
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    for _attempt in range(2):  # an occasional NO_NAVSTART: retry once
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            subprocess.run(
                [
                    str(LIGHTHOUSE),
                    url,
                    "--quiet",
                    "--output=json",
                    f"--output-path={out.name}",
                    f"--chrome-flags={CHROME_FLAGS}",
                    "--only-categories=" + ",".join(CATEGORIES),
                ],
                env=env,
                check=False,
                timeout=180,
            )
            report = json.loads(Path(out.name).read_text() or "{}")
        if report and not report.get("runtimeError"):
            return report
    raise RuntimeError(f"lighthouse failed on {url}: {report.get('runtimeError')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--lighthouse", action="store_true")
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs a page (best kept)")
    args = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.db import connection

    paths = bench_paths()
    print(f"database: {connection.vendor}; DEBUG={settings.DEBUG}; {args.requests} requests a page")
    for label, rendered in (("anonymous (page cache)", False), ("rendered every time", True)):
        print(f"\n{label}:\n{'page':10} {'p50 ms':>8} {'p95 ms':>8}  path")
        for name, (p50, p95) in server_times(paths, args.requests, rendered=rendered).items():
            print(f"{name:10} {p50:8.1f} {p95:8.1f}  {paths[name]}")
    if args.lighthouse:
        print("\nLighthouse, mobile preset:")
        print(f"{'page':10} " + " ".join(f"{c[:13]:>14}" for c in CATEGORIES))
        for name, scores in lighthouse(paths, args.runs).items():
            print(f"{name:10} " + " ".join(f"{scores[c]:14d}" for c in CATEGORIES))


if __name__ == "__main__":
    main()
