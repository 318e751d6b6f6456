"""Run the embedded default: the web server and a Celery worker with beat.

`python -m clinic_site.embedded` starts both, waits until /healthz answers,
prints the URL and the demo logins, and stops both on Ctrl-C (or when
either of them dies).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from urllib.parse import urlsplit

import django


def _wait_until_up(url: str, process: subprocess.Popen, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own loopback URL
                return True
        except OSError as error:
            # 503 still means the server is up (a check may be red).
            if getattr(error, "code", None) == 503:
                return True
            time.sleep(0.3)
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="8000")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic_site.settings")
    django.setup()
    from django.conf import settings

    from cabinet.demo import DEMO_EDITOR, DEMO_PATIENT, DEMO_TOTP_BASE32

    python = sys.executable
    # Fixed argv of our own interpreter: nothing untrusted reaches these calls.
    worker = subprocess.Popen(  # noqa: S603
        [
            python,
            "-m",
            "celery",
            "-A",
            "clinic_site",
            "worker",
            "--beat",
            "--loglevel=WARNING",
            "--concurrency=1",
            "-Q",
            ",".join(settings.WORKER_QUEUES),
            "--schedule",
            settings.CELERY_BEAT_SCHEDULE_FILENAME,
        ]
    )
    web = subprocess.Popen(  # noqa: S603
        [
            python,
            "manage.py",
            "runserver",
            f"{args.host}:{args.port}",
            "--noreload",
        ]
    )
    processes = [web, worker]
    if settings.SMS_SIMULATED:
        # The default SMS gateway is its simulator on loopback; its delivery
        # reports come back to this server's callback view.
        callback = f"http://{args.host}:{args.port}/integrations/sms/{settings.SMS_GATEWAY}/status"
        if settings.SMS_CALLBACK_SECRET:
            callback += f"?key={settings.SMS_CALLBACK_SECRET}"
        processes.append(
            subprocess.Popen(  # noqa: S603
                [
                    python,
                    "manage.py",
                    "simulate",
                    settings.SMS_GATEWAY,
                    "--port",
                    str(urlsplit(settings.SMS_API_URL).port),
                    "--callback-url",
                    callback,
                ]
            )
        )

    essential = list(processes)  # when one of these dies, everything stops
    simulators = [entry.split(":", 1) for entry in settings.EMBEDDED_SIMULATORS if entry]
    for name, port in simulators:
        processes.append(
            subprocess.Popen(  # noqa: S603
                [python, "manage.py", "simulate", name, "--port", port],
                stdout=subprocess.DEVNULL,
            )
        )

    def stop(*_args: object) -> None:
        for process in processes:
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    base = f"http://{args.host}:{args.port}"
    if _wait_until_up(f"{base}/healthz", web):
        print(  # noqa: T201 - this is the command's output
            f"\nThe demo clinic is running at {base}/\n"
            f"  Wagtail admin: {base}{DEMO_EDITOR.url}  "
            f"login {DEMO_EDITOR.username} / {DEMO_EDITOR.password}\n"
            "                 second factor: TOTP key "
            f"{DEMO_TOTP_BASE32} (or `manage.py demo_totp editor`)\n"
            f"  Demo patient:  {base}{DEMO_PATIENT.url}  "
            f"login {DEMO_PATIENT.username} / {DEMO_PATIENT.password}, "
            "then the SMS code from the simulator's messages\n"
            f"  Health:        {base}/healthz\n"
            "  Celery worker + beat are running (MIS sync every "
            f"{settings.MIS_SYNC_INTERVAL} s).\n"
            + (
                f"  SMS:           the {settings.SMS_GATEWAY} simulator at {settings.SMS_API_URL}"
                f" (messages: {settings.SMS_API_URL}/_sim/messages)\n"
                if settings.SMS_SIMULATED
                else ""
            )
            + (
                "  Simulators:    "
                + ", ".join(f"{name} :{port}" for name, port in simulators)
                + " (manage.py simulate; see the README)\n"
                if simulators
                else ""
            )
            + "  Press Ctrl-C to stop.\n",
            flush=True,
        )
    while all(process.poll() is None for process in essential):
        time.sleep(0.5)
    stop()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    return 0 if web.returncode in (0, -signal.SIGTERM, -signal.SIGINT) else 1


if __name__ == "__main__":
    sys.exit(main())
