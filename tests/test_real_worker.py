"""A real Celery worker against the real Redis and the PostgreSQL test database.

The unit tests run tasks eagerly; this one proves the wiring: tasks found by autodiscovery, ids
serialised through the broker, the worker's own transactions, on-commit file deletion, and a
sweep that enqueues follow-up mails the worker then sends. It needs committed data the worker's
connection can see, hence transactional_db.
"""

import datetime
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.db import connection
from django.utils import timezone

from config.celery import app
from partnership.models import Reminder, Role
from partnership.tasks import reminders_sweep
from referrals.models import PurgeRecord, Referral
from referrals.tasks import referral_purge_task
from scripts.run_tests import TEST_ENVIRONMENT
from tests.conftest import require_postgresql
from tests.factories import make_referral, make_user
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


@pytest.fixture
def worker(settings, tmp_path):
    require_postgresql()
    # The unit tests run tasks in-process; here every task must travel through the broker.
    app.conf.task_always_eager = False
    settings.MEDIA_ROOT = tmp_path
    database = connection.settings_dict
    environment = {
        **os.environ,
        **TEST_ENVIRONMENT,
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
            f"/{database['NAME']}"
        ),
        "CONN_MAX_AGE": "0",
        "PYTHONUNBUFFERED": "1",
        "REDIS_URL": BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
        "MEDIA_ROOT": str(tmp_path),
        "EMAIL_URL": "consolemail://",
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "info",
        ],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        with app.connection_for_write(BROKER_URL) as broker:
            yield broker
    finally:
        app.conf.task_always_eager = True
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
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
