"""A real Celery worker against a real Redis and the PostgreSQL test database.

The unit tests run tasks eagerly; these prove the wiring: tasks found by autodiscovery, ids
serialised through the broker, the worker's own transactions, on-commit file deletion, a sweep
that requests batches of mail the worker then sends, and background jobs that survive a broker
outage. They need committed data the worker's connection can see, hence transactional_db.
"""

import contextlib
import datetime
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from composition.models import CompositionRequest
from config.celery import app
from finance.models import AnnualReport
from finance.services import ANNUAL_REPORT_JOB
from partnership.jobs import job_request, job_request_batches
from partnership.models import BackgroundJob, Reminder, Role
from partnership.reminders import REMINDER_MAILS_JOB
from partnership.tasks import reminders_sweep
from referrals.models import PurgeRecord, Referral
from referrals.tasks import referral_purge_task
from scripts.run_tests import TEST_ENVIRONMENT
from tests.conftest import require_postgresql, sign_in_with_second_factor
from tests.factories import make_agreement, make_referral, make_user
from tests.finance.helpers import agreement_with_years
from tests.referrals.lifecycle import database_text, documented_child

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

# A Redis database and a queue of its own, so the test never eats another process's messages,
# not even another test run's on the same machine.
BROKER_URL = "redis://127.0.0.1:6379/13"
QUEUE = f"gruppstod-test-{uuid.uuid4().hex}"
# The two-worker burst: 200 jobs, every seventh an annual-report PDF (29), the others a batch of
# two reminder mails (171 jobs, 342 mails).
BURST = 200
PDF_EVERY = 7
MAIL_JOBS = BURST - len(range(3, BURST, PDF_EVERY))
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
    # The sweep records the reminders, then requests a mail job per batch, which the worker runs.
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


def test_reminder_mails_swept_while_the_broker_is_down_go_once_it_is_back(settings, tmp_path):
    require_postgresql()
    settings.MEDIA_ROOT = tmp_path
    port = free_port()
    broker_url = f"redis://127.0.0.1:{port}/0"
    queue = f"gruppstod-outage-{uuid.uuid4().hex}"
    mail_dir = tmp_path / "mail"
    environment = {
        **celery_environment(tmp_path, broker_url, queue),
        "JOBS_SWEEP_SECONDS": "1",
        "EMAIL_URL": f"filemail:///{mail_dir}",  # django-environ drops the first slash of the path
    }
    social_worker = make_user(Role.SOCIAL_WORKER)
    waiting = [make_referral(submitted_by=social_worker, consents=0, first_name=f"Väntar{n}") for n in range(3)]
    Referral.objects.filter(pk__in=[referral.pk for referral in waiting]).update(
        created_at=timezone.now() - datetime.timedelta(days=20)
    )
    app.conf.task_always_eager = False
    use_broker(broker_url, queue)
    try:
        with (
            celery_process(WORKER, environment, tmp_path / "worker.log"),
            celery_process(["beat", "-s", str(tmp_path / "beat-schedule")], environment, tmp_path / "beat.log"),
        ):
            with own_redis(port, tmp_path / "redis.log"):
                pass  # up, and then down: the outage starts before the hourly sweep runs

            started = time.monotonic()
            reminders_sweep()  # as a worker runs it, with the broker gone since beat sent it
            elapsed = time.monotonic() - started
            assert elapsed < 5, f"the sweep took {elapsed:.1f} s with the broker down"
            job = BackgroundJob.objects.get(kind=REMINDER_MAILS_JOB)
            assert (job.state, job.sent_at, len(job.arguments["ids"])) == (BackgroundJob.State.QUEUED, None, 3)
            reminders_sweep()  # the next hour, still down: the waiting job holds the reminders
            assert BackgroundJob.objects.filter(kind=REMINDER_MAILS_JOB).count() == 1

            with own_redis(port, tmp_path / "redis.log"):
                # Nobody sweeps the reminders again: beat's job sweep sends the job, the worker mails.
                def logs() -> str:
                    return "".join((tmp_path / name).read_text() for name in ("worker.log", "beat.log"))

                assert wait_for(
                    lambda: BackgroundJob.objects.get(pk=job.pk).state == BackgroundJob.State.DONE, timeout=90
                ), logs()
    finally:
        app.conf.task_always_eager = True
        use_broker(settings.CELERY_BROKER_URL, settings.CELERY_TASK_DEFAULT_QUEUE)

    assert not Reminder.objects.filter(kind="consent_missing", sent_at__isnull=True).exists()
    mail_text = "".join(path.read_text() for path in mail_dir.iterdir())
    assert mail_text.count(f"To: {social_worker.email}\n") == 3
    for referral in waiting:
        assert mail_text.count(referral.pseudonym) == 2  # once in the text part, once in the HTML part
        assert referral.child.identity_number not in mail_text
        assert referral.child.first_name not in mail_text


# --- Two workers share a burst; one is killed mid-burst and nothing is lost or done twice ---------


def _last_claim(log: Path) -> int | None:
    """The job the worker claimed last, from its log ("Background job 12 (kind) claimed")."""
    claims = re.findall(r"Background job (\d+) \([^)]*\) claimed", log.read_text())
    return int(claims[-1]) if claims else None


def _done_in(log: Path) -> list[int]:
    return [int(job_id) for job_id in re.findall(r"Background job (\d+) \([^)]*\) done", log.read_text())]


def test_two_workers_share_a_burst_and_what_a_killed_one_held_is_finished_once(settings, tmp_path):
    """BURST jobs, PDFs and batches of mail, for two worker processes (-n w1, -n w2) on one Redis.
    w1 is killed (SIGKILL) in the middle of a PDF: w2 finishes the burst, and the sweep requeues
    the job w1 held once its time limit (8 s here) has passed. Every job is done once, every
    reminder mailed once, every report has its PDF."""
    require_postgresql()
    settings.MEDIA_ROOT = tmp_path
    port = free_port()
    broker_url = f"redis://127.0.0.1:{port}/0"
    queue = f"gruppstod-burst-{uuid.uuid4().hex}"
    mail_dir = tmp_path / "mail"
    environment = {
        **celery_environment(tmp_path, broker_url, queue),
        "JOBS_SWEEP_SECONDS": "1",
        "JOBS_TIME_LIMIT_SECONDS": "8",
        "EMAIL_URL": f"filemail:///{mail_dir}",  # django-environ drops the first slash of the path
    }
    coordinator = make_user(Role.COORDINATOR)
    agreement, years = agreement_with_years(coordinator)
    recipients = get_user_model().objects.bulk_create(
        get_user_model()(username=f"burst-{n}", email=f"burst-{n}@example.se") for n in range(2 * MAIL_JOBS)
    )
    agreement_type = ContentType.objects.get_for_model(agreement)
    reminders = Reminder.objects.bulk_create(
        Reminder(
            recipient=user,
            kind="agreement_ending",
            subject_type=agreement_type,
            subject_id=agreement.pk,
            summary="Överenskommelsen löper ut.",
            due_on=agreement.ends_on,
        )
        for user in recipients
    )
    w1_log, w2_log = tmp_path / "w1.log", tmp_path / "w2.log"
    app.conf.task_always_eager = False
    use_broker(broker_url, queue)
    try:
        with (
            own_redis(port, tmp_path / "redis.log"),
            celery_process([*WORKER, "-n", "w1@%h"], environment, w1_log) as w1,
            celery_process([*WORKER, "-n", "w2@%h"], environment, w2_log),
            celery_process(["beat", "-s", str(tmp_path / "beat-schedule")], environment, tmp_path / "beat.log"),
        ):

            def logs() -> str:
                return "".join(
                    f"--- {path.name}\n{path.read_text()[-4000:]}" for path in (w1_log, w2_log, tmp_path / "beat.log")
                )

            assert wait_for(lambda: "ready" in w1_log.read_text() and "ready" in w2_log.read_text()), logs()
            started = time.monotonic()
            unsent = iter(reminder.pk for reminder in reminders)
            pdf_jobs, mail_jobs = [], []
            with transaction.atomic():  # the burst goes to the broker at once, in this order, on commit
                for n in range(BURST):
                    if n % PDF_EVERY == 3:
                        job, _created = job_request(kind=ANNUAL_REPORT_JOB, key=f"{ANNUAL_REPORT_JOB}:burst:{n}")
                        AnnualReport.objects.create(budget_year=years[0], requested_by=coordinator, job=job)
                        pdf_jobs.append(job.pk)
                    else:
                        ids = [next(unsent), next(unsent)]
                        mail_jobs += [job.pk for job in job_request_batches(kind=REMINDER_MAILS_JOB, ids=ids)]
            burst = pdf_jobs + mail_jobs
            assert len(burst) == BURST and len(mail_jobs) == MAIL_JOBS
            done = BackgroundJob.objects.filter(pk__in=burst, state=BackgroundJob.State.DONE)

            # Mid-burst, stop w1 and look: if it is in the middle of a PDF, kill it there.
            assert wait_for(lambda: done.count() >= 30, timeout=90), logs()
            victim = None
            deadline = time.monotonic() + 30
            while victim is None and time.monotonic() < deadline:
                os.kill(w1.pid, signal.SIGSTOP)
                held = _last_claim(w1_log)
                if held in pdf_jobs and BackgroundJob.objects.get(pk=held).state == BackgroundJob.State.RUNNING:
                    os.kill(w1.pid, signal.SIGKILL)
                    victim = held
                else:
                    os.kill(w1.pid, signal.SIGCONT)
                    time.sleep(0.05)
            assert victim is not None, "w1 was never caught in the middle of a PDF\n" + logs()
            w1.wait(timeout=10)

            # A generous bound: a machine shared with other test runs can take several times longer.
            assert wait_for(lambda: done.count() == BURST, timeout=180), logs()
            # Seconds from the burst's commit to its last job (about 30 on an idle two-core machine).
            print(f"burst of {BURST} jobs done in {time.monotonic() - started:.1f} s")
    finally:
        app.conf.task_always_eager = True
        use_broker(settings.CELERY_BROKER_URL, settings.CELERY_TASK_DEFAULT_QUEUE)

    # The job w1 held was finished by w2, on its second attempt, after the sweep requeued it.
    assert BackgroundJob.objects.get(pk=victim).attempts == 2
    assert victim not in _done_in(w1_log) and victim in _done_in(w2_log)
    # Both workers took part, and each job was recorded done exactly once.
    finished = _done_in(w1_log) + _done_in(w2_log)
    assert _done_in(w1_log) and _done_in(w2_log)
    assert sorted(finished) == sorted(burst)
    # Every reminder mailed once, to its own recipient; every report has its PDF.
    mail_text = "".join(path.read_text() for path in mail_dir.iterdir())
    for user in recipients:
        assert mail_text.count(f"To: {user.email}\n") == 1, user.email
    assert not Reminder.objects.filter(pk__in=[reminder.pk for reminder in reminders], sent_at__isnull=True).exists()
    for report in AnnualReport.objects.filter(job_id__in=pdf_jobs):
        assert report.pdf.read().startswith(b"%PDF-"), report.pk


# --- Composing groups: the web process asks, only the worker loads the solver --------------------

# A web process as gunicorn runs it (no eager tasks, the broker of the test's worker): it serves the
# manager's request for a suggestion and polls its page until the worker has solved it, then says
# what it answered and which of the solver's libraries it has loaded.
WEB_PROCESS = """
import json, sys, time
import django
django.setup()
import config.urls  # every view, as the first request loads them
from django.test import Client
from django.urls import reverse
from partnership.jobs import job_kinds

SOLVER_MODULES = ("ortools", "pandas", "composition.solver", "composition.tasks")
session, form = sys.argv[1], json.loads(sys.argv[2])
client = Client()
client.cookies["sessionid"] = session
answers = [client.get(reverse("composition:suggest")).status_code]
response = client.post(reverse("composition:suggest"), form)
answers.append(response.status_code)
page = ""
deadline = time.monotonic() + 90
while "Optimalt" not in page and time.monotonic() < deadline:
    time.sleep(0.5)
    page = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
print(json.dumps({
    "answers": answers,
    "page": page,
    "loaded": sorted(name for name in SOLVER_MODULES if name in sys.modules),
    "handler_loaded": job_kinds()["composition.suggestion"].run is not None,
}))
"""


def test_a_suggestion_asked_for_in_a_web_process_is_solved_by_the_worker_alone(worker, tmp_path):
    """Issue 13: OR-Tools is some 75 MB a web worker would carry for nothing; the web process
    requests the job and shows its outcome, and only the worker loads the solver."""
    agreement = make_agreement()
    planned = timezone.localdate() + datetime.timedelta(days=30)
    for n, age in enumerate([8, 9, 8, 9, 8, 9]):
        make_referral(agreement=agreement, age=age, planned_start=planned, first_name=f"Barn{n}")
    client = sign_in_with_second_factor(Client(), make_user(Role.OPERATIONS_MANAGER))
    form = {"agreement": agreement.pk, "planned_start": planned.isoformat(), "max_groups": 1, "max_age_spread": 3}
    web = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", WEB_PROCESS, client.cookies["sessionid"].value, json.dumps(form)],
        cwd=ROOT,
        env=celery_environment(tmp_path, BROKER_URL, QUEUE),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert web.returncode == 0, web.stderr
    served = json.loads(web.stdout.strip().splitlines()[-1])
    log = (tmp_path / "worker.log").read_text()
    assert served["answers"] == [200, 302], log
    assert "Optimalt" in served["page"] and "Grupp 1: 8–9 år" in served["page"], log
    assert served["loaded"] == [] and not served["handler_loaded"]
    suggestion = CompositionRequest.objects.select_related("job").get()
    assert suggestion.job.state == BackgroundJob.State.DONE and suggestion.waiting_count == 6
    assert suggestion.groups.get().members.count() == 6
    assert f"Background job {suggestion.job_id} (composition.suggestion) done" in log  # the worker solved it
