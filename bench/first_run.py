"""Time `make run` from a clean clone until the home page answers: fresh, then again.

Usage: .venv/bin/python bench/first_run.py [--keep]
Clones HEAD into a temporary directory, runs `make run` on a free port,
polls the home page, stops the server, and repeats once (the warm start).
Prints the seconds of each run; the fresh run includes creating the
virtualenv and `npm ci` (from the machine's package registries and caches).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def time_make_run(clone: Path, port: int, timeout: float = 900) -> float:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "VIRTUAL_ENV"}
    }
    began = time.monotonic()
    process = subprocess.Popen(
        ["make", "run", f"PORT={port}"],
        cwd=clone,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while time.monotonic() - began < timeout:
            if process.poll() is not None:
                raise SystemExit(f"make run exited with {process.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as answer:
                    if answer.status == 200:
                        return time.monotonic() - began
            except OSError:
                time.sleep(0.5)
        raise SystemExit("the page did not answer in time")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keep", action="store_true", help="keep the clone for inspection")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="clinic-first-run-"))
    clone = workdir / "clinic"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    try:
        fresh = time_make_run(clone, free_port())
        warm = time_make_run(clone, free_port())
        print(f"fresh make run until the home page answers: {fresh:6.1f} s")
        print(f"second make run (nothing to install):       {warm:6.1f} s")
    finally:
        if args.keep:
            print(f"clone kept at {clone}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
