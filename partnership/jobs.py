"""The one pipeline for background work: documents Celery builds and batches of mail it sends.

- A service asks for a job with `job_request(kind=..., key=..., arguments=...)` inside its
  transaction. While a job with the same key is queued or running, asking again returns that job.
- Once the transaction commits, the job is sent to the broker. If the broker is down the request
  still answers at once (the send gives up within a second or two, BROKER_SEND_TIMEOUT) and the
  job waits in the database.
- A worker claims the job with a conditional update (only one worker can), runs the kind's handler
  and records the outcome. Messages are acknowledged late, so a worker killed mid-job leaves the
  message to be delivered again, and the claim makes a second delivery harmless.
- `jobs_sweep` (every minute from beat, and when a worker starts) sends again what the broker never
  got or lost, and requeues what a dead worker left running past its kind's time limit.
- Batches of mail: a sweep hands the ids of the rows still to be mailed to `job_request_batches`,
  which requests one job per batch (at most MAIL_BATCH_SIZE rows) and leaves out rows an active job
  already holds. The kind's handler claims each row before mailing it (`mail_batch_send`), so a
  rerun, or a second worker given the same job, mails nothing twice.

Each app declares its kinds in its own `jobs.py` with `@job_handler`; they are found at start-up
(partnership/apps.py). A handler takes the job, reads its ids from `job.arguments`, and must be
safe to run twice.

A handler that needs a library the web process should not carry (OR-Tools for composing groups)
is split: `jobs.py` declares the kind with `job_kind`, so every process can request it, and the
app's `tasks.py` registers the handler with `@worker_job_handler`. Only Celery workers import the
tasks modules (config/celery.py, autodiscover_tasks), and in eager mode the process that runs the
jobs itself (partnership/apps.py).
"""

import dataclasses
import datetime
import itertools
import logging
import smtplib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from celery import shared_task
from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import BackgroundJob
from .queue import BROKER_ERRORS

logger = logging.getLogger(__name__)

State = BackgroundJob.State
ACTIVE_STATES = (State.QUEUED, State.RUNNING)
# A queued job the broker accepted but no worker has started for this long is sent again: a broker
# that restarts without persistence loses its queue. A duplicate message is harmless (the claim).
RESEND_AFTER = datetime.timedelta(minutes=5)
DEFAULT_TIME_LIMIT = datetime.timedelta(minutes=10)
# Rows one mail job sends: big enough that a backlog is a few dozen jobs, small enough that a job
# takes seconds and a burst spreads over every worker.
MAIL_BATCH_SIZE = 200


@dataclass(frozen=True)
class JobKind:
    name: str
    # None in a process that has not loaded the kind's worker-only handler (see the docstring).
    run: Callable[[BackgroundJob], dict | None] | None
    # Running longer than this means the worker died: the sweep requeues the job.
    time_limit: datetime.timedelta
    max_attempts: int
    # A failure of these kinds (a mail server that did not answer) is passing: the job goes back to
    # the queue and the sweep sends it again, up to max_attempts runs in all.
    retry_on: tuple[type[BaseException], ...] = ()


_KINDS: dict[str, JobKind] = {}


def job_handler(
    kind: str,
    *,
    time_limit: datetime.timedelta = DEFAULT_TIME_LIMIT,
    max_attempts: int = 3,
    retry_on: tuple[type[BaseException], ...] = (),
):
    """Register the handler of a kind of job: `def run(job) -> dict | None` (the result, if any)."""

    def register(run):
        _KINDS[kind] = JobKind(kind, run, time_limit, max_attempts, retry_on)
        return run

    return register


def job_kind(
    kind: str,
    *,
    time_limit: datetime.timedelta = DEFAULT_TIME_LIMIT,
    max_attempts: int = 3,
    retry_on: tuple[type[BaseException], ...] = (),
) -> str:
    """Declare a kind whose handler only a worker loads (`worker_job_handler` in the app's
    tasks.py); returns the kind's name."""
    _KINDS[kind] = JobKind(kind, None, time_limit, max_attempts, retry_on)
    return kind


def worker_job_handler(kind: str):
    """Register the handler of a kind declared with `job_kind`: `def run(job) -> dict | None`."""

    def register(run):
        if kind not in _KINDS:
            raise LookupError(f"background job kind {kind!r} is not declared (job_kind in the app's jobs.py)")
        _KINDS[kind] = dataclasses.replace(_KINDS[kind], run=run)
        return run

    return register


def job_kinds() -> dict[str, JobKind]:
    return _KINDS


# --- Requesting ------------------------------------------------------------------------------------


@transaction.atomic
def job_request(*, kind: str, key: str, arguments: dict | None = None, requested_by=None) -> tuple[BackgroundJob, bool]:
    """The active job with this key, or a new one sent to the broker once the caller commits.
    Returns (job, created)."""
    job, created = _job_find_or_create(kind=kind, key=key, arguments=arguments, requested_by=requested_by)
    if created or (job.state == State.QUEUED and job.sent_at is None):
        transaction.on_commit(lambda: job_send(job.pk))
    return job, created


def _job_find_or_create(*, kind: str, key: str, arguments: dict | None, requested_by) -> tuple[BackgroundJob, bool]:
    if kind not in _KINDS:
        raise LookupError(f"no handler for background job kind {kind!r}")
    existing = BackgroundJob.objects.select_for_update().filter(key=key, state__in=ACTIVE_STATES).first()
    if existing is not None:
        if existing.state == State.RUNNING and _is_stuck(existing, timezone.now()):  # its worker died
            existing.state, existing.sent_at = State.QUEUED, None
            existing.save(update_fields=["state", "sent_at", "updated_at"])
        return existing, False
    try:
        with transaction.atomic():
            job = BackgroundJob.objects.create(kind=kind, key=key, arguments=arguments or {}, requested_by=requested_by)
    except IntegrityError:  # a concurrent request for the same key won the race: that is the job
        return BackgroundJob.objects.get(key=key, state__in=ACTIVE_STATES), False
    return job, True


@transaction.atomic
def job_request_batches(
    *, kind: str, ids: Iterable[int], batch_size: int | None = None, requested_by=None
) -> list[BackgroundJob]:
    """One job per batch of these row ids (in `arguments["ids"]`), leaving out the rows an active job
    of this kind already holds, so a sweep that runs again while the broker is down (or while the
    jobs are still running) requests nothing twice. The jobs go to the broker once the caller
    commits; with the broker down they wait for the job sweep. Returns the jobs requested now."""
    ids = list(ids)
    if not ids:  # the hourly sweep's usual case: no need to read what the active jobs hold
        return []
    held = {
        row_id
        for arguments in BackgroundJob.objects.filter(kind=kind, state__in=ACTIVE_STATES).values_list(
            "arguments", flat=True
        )
        for row_id in arguments.get("ids", ())
    }
    rows = (row_id for row_id in ids if row_id not in held)
    batches = []
    while batch := list(itertools.islice(rows, batch_size or MAIL_BATCH_SIZE)):
        batches.append(batch)
    if not batches:
        return []
    if kind not in _KINDS:
        raise LookupError(f"no handler for background job kind {kind!r}")
    # The first row names the batch: no active job of the kind holds it, so no active job has the
    # key, and every batch's job is inserted in one statement (a backlog is hundreds of batches).
    # Only a concurrent request for the same batch can hold the key: then the insert fails and each
    # batch is found or created in turn.
    try:
        with transaction.atomic():
            jobs = BackgroundJob.objects.bulk_create(
                BackgroundJob(kind=kind, key=f"{kind}:{batch[0]}", arguments={"ids": batch}, requested_by=requested_by)
                for batch in batches
            )
    except IntegrityError:
        jobs = []
        for batch in batches:
            job, created = _job_find_or_create(
                kind=kind, key=f"{kind}:{batch[0]}", arguments={"ids": batch}, requested_by=requested_by
            )
            if created:
                jobs.append(job)
    if jobs:
        transaction.on_commit(lambda: jobs_send([job.pk for job in jobs]))
    return jobs


def _send(job_id: int) -> bool:
    """Hand the job to the broker: False when it is not queued (any more); a broker error is raised,
    with the job still queued and marked as never sent."""
    sent = BackgroundJob.objects.filter(pk=job_id, state=State.QUEUED).update(sent_at=timezone.now())
    if not sent:
        return False
    try:
        job_run_task.apply_async((job_id,), retry=False)
    except BROKER_ERRORS:
        BackgroundJob.objects.filter(pk=job_id, state=State.QUEUED).update(sent_at=None)
        raise
    return True


def job_send(job_id: int) -> bool:
    """Hand the job to the broker; False (logged, the job still queued) when the broker is down."""
    return jobs_send([job_id]) == 1


def jobs_send(job_ids: Iterable[int]) -> int:
    """Hand these jobs to the broker in turn; returns how many it took. The first broker error
    ends the round: the rest wait for the sweep, and the caller is not held for a timeout per job."""
    job_ids = list(job_ids)
    sent = 0
    for position, job_id in enumerate(job_ids):
        try:
            sent += _send(job_id)
        except BROKER_ERRORS as error:
            logger.warning(
                "Background job %s and %s more wait for the broker: %s",
                job_id,
                len(job_ids) - position - 1,
                type(error).__name__,
            )
            break
    return sent


# --- Running ---------------------------------------------------------------------------------------


def job_run(job_id: int) -> BackgroundJob | None:
    """Claim the job and run its handler. Returns None when there was nothing to claim (another
    worker has it, or it is finished), so a message delivered twice does the work once."""
    now = timezone.now()
    claimed = BackgroundJob.objects.filter(pk=job_id, state=State.QUEUED).update(
        state=State.RUNNING, started_at=now, attempts=F("attempts") + 1, progress=0, error="", updated_at=now
    )
    if not claimed:
        return None
    job = BackgroundJob.objects.get(pk=job_id)
    # Which worker ran which job, for the operator (and the two-worker test): ids and kinds only.
    logger.info("Background job %s (%s) claimed, attempt %s", job.pk, job.kind, job.attempts)
    kind = _KINDS.get(job.kind)
    try:
        if kind is None or kind.run is None:
            raise LookupError(f"no handler for background job kind {job.kind!r}")
        result = kind.run(job) or {}
    except Exception as error:  # the outcome is recorded; the traceback goes to the log
        logger.exception("Background job %s (%s) failed", job.pk, job.kind)
        if isinstance(error, kind.retry_on if kind else ()) and job.attempts < kind.max_attempts:  # type: ignore[union-attr]
            _requeue(job, error=type(error).__name__)
            return job
        # The page says in its own words that it failed; the exception's text may hold personal data.
        _finish(job, state=State.FAILED, error=type(error).__name__)
        return job
    if _finish(job, state=State.DONE, result=result):
        logger.info("Background job %s (%s) done", job.pk, job.kind)
    return job


def _requeue(job: BackgroundJob, *, error: str) -> None:
    """Back to the queue after a passing failure; the sweep sends it again within a minute."""
    job.state, job.sent_at, job.error = State.QUEUED, None, error
    BackgroundJob.objects.filter(pk=job.pk, state=State.RUNNING, started_at=job.started_at).update(
        state=State.QUEUED, sent_at=None, error=error, updated_at=timezone.now()
    )


def _finish(job: BackgroundJob, *, state: str, result: dict | None = None, error: str = "") -> bool:
    job.state = state
    job.finished_at = timezone.now()
    job.error = error
    job.result = result or {}
    fields = ["state", "finished_at", "error", "result", "updated_at"]
    if state == State.DONE:
        job.progress = 100
        fields.append("progress")
    # Only the claim's own run may finish it: a requeued job (its worker presumed dead) belongs to
    # the next run.
    return bool(
        BackgroundJob.objects.filter(pk=job.pk, state=State.RUNNING, started_at=job.started_at).update(
            **{field: getattr(job, field) for field in fields if field != "updated_at"}, updated_at=job.finished_at
        )
    )


def job_progress(job: BackgroundJob, percent: int) -> None:
    """Tell the waiting page how far the job has come (0–100)."""
    job.progress = max(0, min(100, percent))
    BackgroundJob.objects.filter(pk=job.pk, state=State.RUNNING).update(progress=job.progress)


# --- The sweep -------------------------------------------------------------------------------------


def _time_limit(kind_name: str) -> datetime.timedelta:
    kind = _KINDS.get(kind_name)
    limit = kind.time_limit if kind else DEFAULT_TIME_LIMIT
    if settings.JOBS_TIME_LIMIT_SECONDS:  # an operator's (or a test's) shorter bound for every kind
        limit = min(limit, datetime.timedelta(seconds=settings.JOBS_TIME_LIMIT_SECONDS))
    return limit


def _is_stuck(job: BackgroundJob, now: datetime.datetime) -> bool:
    return job.started_at is not None and job.started_at < now - _time_limit(job.kind)


def jobs_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Send again what the broker never got or lost; requeue or fail what a dead worker left."""
    now = now or timezone.now()
    requeued = failed = 0
    for job in BackgroundJob.objects.filter(state=State.RUNNING).only("pk", "kind", "started_at", "attempts"):
        if not _is_stuck(job, now):
            continue
        kind = _KINDS.get(job.kind)
        stuck = BackgroundJob.objects.filter(pk=job.pk, state=State.RUNNING, started_at=job.started_at)
        if kind is not None and job.attempts < kind.max_attempts:
            requeued += stuck.update(state=State.QUEUED, sent_at=None, updated_at=now)
        else:
            failed += stuck.update(state=State.FAILED, finished_at=now, error="WorkerLost", updated_at=now)
    unsent = BackgroundJob.objects.filter(
        Q(sent_at__isnull=True) | Q(sent_at__lt=now - RESEND_AFTER), state=State.QUEUED
    ).order_by("pk")
    sent = jobs_send(unsent.values_list("pk", flat=True))
    return {"sent": sent, "requeued": requeued, "failed": failed}


# --- Batches of mail -------------------------------------------------------------------------------


def mail_batch_send(job: BackgroundJob, send_one: Callable[..., bool]) -> dict[str, int]:
    """Run `send_one(row_id, connection=...) -> bool` (mailed or not) for each row of a batch job,
    over one connection to the mail server.

    `send_one` claims its row and mails in one transaction, so a mail that fails leaves its row
    for the next run. A recipient the server refuses is skipped (the row waits for the next
    sweep); any other failure ends the batch, and the kind's retry_on decides what follows.
    """
    ids = job.arguments.get("ids", [])
    sent = refused = 0
    with get_connection() as connection:  # one session with the mail server for the whole batch
        for position, row_id in enumerate(ids, start=1):
            try:
                sent += bool(send_one(row_id, connection=connection))
            except smtplib.SMTPRecipientsRefused:
                logger.warning(
                    "Mail of %s row %s refused by the mail server; the next sweep tries again", job.kind, row_id
                )
                refused += 1
            if position % 20 == 0:
                job_progress(job, position * 100 // len(ids))
    return {"rows": len(ids), "sent": sent, "refused": refused}


# --- The Celery side -------------------------------------------------------------------------------


@shared_task(name="partnership.job_run", acks_late=True, reject_on_worker_lost=True)
def job_run_task(job_id: int) -> None:
    job_run(job_id)


@shared_task(name="partnership.jobs_sweep")
def jobs_sweep_task() -> dict[str, int]:
    return jobs_sweep()
