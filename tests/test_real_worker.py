"""A real Celery worker against a real Redis and the PostgreSQL test database.

The unit tests run tasks eagerly; these prove the wiring: tasks found by autodiscovery, ids
serialised through the broker, the worker's own transactions, on-commit file deletion, a sweep
that enqueues follow-up mails the worker then sends, and background jobs that survive a broker
outage. They need committed data the worker's connection can see, hence transactional_db.
"""

import contextlib
import datetime
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from config.celery import app
from finance.models import AnnualReport
from partnership.models import BackgroundJob, Reminder, Role
from partnership.tasks import reminders_sweep
from referrals.models import PurgeRecord, Referral
from referrals.tasks import referral_purge_task
from scripts.run_tests import TEST_ENVIRONMENT
from tests.conftest import require_postgresql
from tests.factories import make_referral, make_user
from tests.finance.helpers import agreement_with_years
from tests.referrals.lifecycle import database_text, documented_child

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

# A Redis database and a queue of its own, so the test never eats another process's messages,
# not even another test run's on the same machine.
BROKER_URL = "redis://127.0.0.1:6379/13"
QUEUE = f"gruppstod-test-{uuid.uuid4().hex}"
ROOT = Path(__file__).resolve().parent.parent


def wait_for(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


def celery_environment(tmp_path, broker_url: str, queue: str) -> dict:
    """The environment of a worker or beat process on the test database and this broker."""
    database = connection.settings_dict
    return {
        **os.environ,
        **TEST_ENVIRONMENT,
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
            f"/{database['NAME']}"
        ),
        "CONN_MAX_AGE": "0",
        "PYTHONUNBUFFERED": "1",
        "REDIS_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "MEDIA_ROOT": str(tmp_path),
        "EMAIL_URL": "consolemail://",
    }


@contextlib.contextmanager
def celery_process(command: list[str], environment: dict, log_path: Path):
    """`celery -A config <command>` running until the block ends."""
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [sys.executable, "-m", "celery", "-A", "config", *command, "-l", "info"],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


WORKER = ["worker", "--pool=solo", "--without-heartbeat", "--without-gossip", "--without-mingle"]


@pytest.fixture
def worker(settings, tmp_path):
    require_postgresql()
    # The unit tests run tasks in-process; here every task must travel through the broker.
    app.conf.task_always_eager = False
    settings.MEDIA_ROOT = tmp_path
    environment = celery_environment(tmp_path, BROKER_URL, QUEUE)
    try:
        with (
            celery_process(WORKER, environment, tmp_path / "worker.log"),
            app.connection_for_write(BROKER_URL) as broker,
        ):
            yield broker
    finally:
        app.conf.task_always_eager = True
        redis.Redis.from_url(BROKER_URL).delete(QUEUE)


def test_purge_and_reminder_sweep_run_through_a_real_worker(worker, tmp_path):
    app.conf.task_always_eager = True  # the set-up's own tasks (the concern mail) run in-process
    documented = documented_child(ended_days_ago=45)
    app.conf.task_always_eager = False
    referral = documented.referral
    assert (tmp_path / documented.document_name).exists()
    social_worker = make_user(Role.SOCIAL_WORKER)
    waiting = make_referral(submitted_by=social_worker, consents=0, first_name="Väntar")
    Referral.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - datetime.timedelta(days=20))

    referral_purge_task.apply_async((referral.pk,), connection=worker, queue=QUEUE)
    # Twice: a duplicate delivery (acks_late) must change nothing.
    referral_purge_task.apply_async((referral.pk,), connection=worker, queue=QUEUE)
    log = tmp_path / "worker.log"
    assert wait_for(lambda: PurgeRecord.objects.filter(referral=referral, files_deleted_at__isnull=False).exists()), (
        log.read_text()
    )
    assert PurgeRecord.objects.count() == 1
    assert Referral.objects.get(pk=referral.pk).purged_at is not None
    assert not (tmp_path / documented.document_name).exists()
    dump = database_text()
    assert [secret for secret in documented.secrets if secret in dump] == []
    # And the database's own dump, every table, as an operator would take a backup.
    database = connection.settings_dict
    pg_dump = subprocess.run(  # noqa: S603 - fixed arguments from the test settings
        [
            shutil.which("pg_dump") or "/usr/bin/pg_dump",
            "--data-only",
            "-h",
            database["HOST"] or "127.0.0.1",
            "-U",
            database["USER"],
            database["NAME"],
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert referral.pseudonym in pg_dump
    assert [secret for secret in documented.secrets if secret in pg_dump] == []

    reminders_sweep.apply_async(connection=worker, queue=QUEUE)
    reminders_sweep.apply_async(connection=worker, queue=QUEUE)
    # The sweep records the reminders, then enqueues one mail each, which the worker sends.
    assert wait_for(
        lambda: Reminder.objects.filter(kind="consent_missing", recipient=social_worker, sent_at__isnull=False).exists()
    ), log.read_text()
    assert wait_for(lambda: Reminder.objects.filter(kind="purge_done", sent_at__isnull=False).exists()), log.read_text()
    assert Reminder.objects.filter(kind="consent_missing", recipient=social_worker).count() == 1
    worker_log = log.read_text()
    assert waiting.pseudonym in worker_log  # the console mail backend printed the mail
    assert waiting.child.identity_number not in worker_log
    assert "referrals.tasks.referral_purge_task" in worker_log  # it really was the worker


# --- A broker outage: the job waits and runs by itself once the broker is back -------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def own_redis(port: int, log_path: Path):
    """A redis-server of the test's own, never the shared one, so it can be stopped."""
    with log_path.open("a") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            assert wait_for(lambda: _answers(port), timeout=10), "redis-server did not start"
            yield process
        finally:
            process.terminate()
            process.wait(timeout=10)


def _answers(port: int) -> bool:
    try:
        return redis.Redis(port=port, socket_connect_timeout=0.2).ping()
    except redis.ConnectionError:
        return False


def use_broker(url: str, queue: str) -> None:
    """Send this process's tasks through another broker: new connections, and producers on them."""
    app.conf.broker_url = url
    app.conf.task_default_queue = queue
    app.close()
    app.amqp._producer_pool = None  # Celery keeps its producers across close()


def test_a_report_asked_for_while_the_broker_is_down_is_made_once_it_is_back(settings, tmp_path, make_signed_in_client):
    require_postgresql()
    settings.MEDIA_ROOT = tmp_path
    port = free_port()
    broker_url = f"redis://127.0.0.1:{port}/0"
    queue = f"gruppstod-outage-{uuid.uuid4().hex}"
    coordinator = make_user(Role.COORDINATOR)
    _agreement, years = agreement_with_years(coordinator)
    environment = {**celery_environment(tmp_path, broker_url, queue), "JOBS_SWEEP_SECONDS": "1"}
    # This process sends through the same broker as the worker.
    app.conf.task_always_eager = False
    use_broker(broker_url, queue)
    try:
        with (
            celery_process(WORKER, environment, tmp_path / "worker.log"),
            celery_process(["beat", "-s", str(tmp_path / "beat-schedule")], environment, tmp_path / "beat.log"),
        ):
            with own_redis(port, tmp_path / "redis.log"):
                pass  # up, and then down: the outage starts before anyone asks for the report

            http = make_signed_in_client(coordinator)
            started = time.monotonic()
            response = http.post(
                reverse("finance:report_generate", kwargs={"public_id": years[0].public_id}), {"fee_reinvestment": ""}
            )
            elapsed = time.monotonic() - started
            assert response.status_code == 302
            assert elapsed < 2, f"the request took {elapsed:.1f} s with the broker down"
            report = AnnualReport.objects.select_related("job").get()
            assert report.job.state == BackgroundJob.State.QUEUED and report.job.sent_at is None
            page = http.get(reverse("finance:report", kwargs={"public_id": years[0].public_id})).content.decode()
            assert "Bakgrundstjänsten går inte att nå just nu" in page

            with own_redis(port, tmp_path / "redis.log"):
                # Nobody asks again: beat's sweep sends the job and the worker makes the PDF.
                logs = lambda: "".join(  # noqa: E731
                    (tmp_path / name).read_text() for name in ("worker.log", "beat.log")
                )
                assert wait_for(
                    lambda: BackgroundJob.objects.get(pk=report.job_id).state == BackgroundJob.State.DONE, timeout=90
                ), logs()
        report.refresh_from_db()
        assert report.pdf.read().startswith(b"%PDF-")
        assert BackgroundJob.objects.count() == 1
    finally:
        app.conf.task_always_eager = True
        use_broker(settings.CELERY_BROKER_URL, settings.CELERY_TASK_DEFAULT_QUEUE)
