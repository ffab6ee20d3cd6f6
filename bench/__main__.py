"""`make bench`: national-scale data, the app under gunicorn with production settings, every list
and home page under wrk beside the two baselines, the background jobs, and the targets met or not.

Environment (the Makefile sets bench-only values for the secrets):
  DATABASE_URL        the bench's own PostgreSQL database; it is dropped and made anew
  BENCH_ROUNDS        rounds of page runs, default 3 (each figure is the median)
  BENCH_SECONDS       seconds per wrk run, default 5
  BENCH_REUSE_DATA    "true" keeps the database of the last run instead of seeding anew
  BENCH_ACCESS_LOG_ROWS  rows the access log grows to for its own target, default 10 000 000
"""

import datetime
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import django

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MISSING_SYSTEM = "Saknas för make bench: {what}.\nInstallera med:\n  sudo apt-get install {packages}"


def _log(message: str) -> None:
    print(message, flush=True)


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


def check_system() -> None:
    """Say what to install, install nothing (like scripts/check_system.py)."""
    if shutil.which("wrk") is None:
        sys.exit(MISSING_SYSTEM.format(what="lastgeneratorn wrk", packages="wrk"))
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("make bench mäter på PostgreSQL: sätt DATABASE_URL=postgres://... (Makefile: BENCH_DATABASE_URL).")


def recreate_database(url: str) -> None:
    from urllib.parse import urlsplit, urlunsplit  # noqa: PLC0415

    import psycopg  # noqa: PLC0415 - only the bench's runner needs it before Django is set up

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "-c",
        "config/gunicorn.py",
        "bench.wsgi:application",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, start_new_session=True)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("gunicorn startade inte inom en minut.")


def stop_gunicorn(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def worker_rss_mb(process: subprocess.Popen) -> list[float]:
    """Resident memory of each gunicorn worker (children of the master), in MB."""
    sizes = []
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    for pid in children.read_text().split() if children.exists() else []:
        status = Path(f"/proc/{pid}/status")
        for line in status.read_text().splitlines() if status.exists() else []:
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


def main() -> int:
    check_system()
    rounds = _env_int("BENCH_ROUNDS", 3)
    seconds = _env_int("BENCH_SECONDS", 5)
    workers = 2
    reuse = os.environ.get("BENCH_REUSE_DATA", "").lower() == "true"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    results: dict = {"started_at": datetime.datetime.now(datetime.UTC).isoformat(), "rounds": rounds}

    if not reuse:
        _log("Skapar databasen på nytt …")
        recreate_database(os.environ["DATABASE_URL"])
    django.setup()

    from django.contrib.auth import get_user_model  # noqa: PLC0415 - after django.setup()
    from django.core.management import call_command  # noqa: PLC0415

    from . import jobs, pagebench, report, seed  # noqa: PLC0415
    from .client import sign_in  # noqa: PLC0415

    if not reuse:
        started = time.monotonic()
        call_command("migrate", verbosity=0)
        results["migrate_seconds"] = time.monotonic() - started
        _log(f"Migreringar: {results['migrate_seconds']:.0f} s. Skapar data i nationell skala …")
        started = time.monotonic()
        summary = seed.seed(scale=seed.Scale.fraction(float(os.environ.get("BENCH_SCALE", "1"))))
        results["seed_seconds"] = time.monotonic() - started
        results["seed_counts"] = summary.counts
        started = time.monotonic()
        seed.analyze()
        results["analyze_seconds"] = time.monotonic() - started
        _log(f"Data klar på {results['seed_seconds']:.0f} s (+ ANALYZE {results['analyze_seconds']:.0f} s).")
    call_command("collectstatic", interactive=False, verbosity=0)

    User = get_user_model()
    users = {role: User.objects.get(username=username) for role, username in seed.BENCH_USERS.items()}
    port = free_port()
    server = start_gunicorn(port, workers)
    try:
        sessions = {
            role: sign_in(host="127.0.0.1", port=port, username=username, password=seed.BENCH_PASSWORD)
            for role, username in seed.BENCH_USERS.items()
        }
        _log(f"Inloggade: {', '.join(seed.BENCH_USERS.values())}. Mäter sidorna ({rounds} rundor à {seconds} s) …")
        pages, baselines = pagebench.measure_pages(
            sessions=sessions, users=users, rounds=rounds, seconds=seconds, connections=workers, log=_log
        )
        results["worker_rss_mb"] = worker_rss_mb(server)
    finally:
        stop_gunicorn(server)
    results["pages"] = report.pages_as_dict(pages, baselines)
    report.save_partial(results)  # the pages' figures survive whatever happens to the jobs
    _log("Mäter bakgrundsjobben …")
    results["jobs"] = jobs.measure_all(log=_log, access_log_rows=_env_int("BENCH_ACCESS_LOG_ROWS", 10_000_000))
    results["finished_at"] = datetime.datetime.now(datetime.UTC).isoformat()
    return report.write(results, log=_log)


if __name__ == "__main__":
    sys.exit(main())
