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

Each app declares its kinds in its own `jobs.py` with `@job_handler`; they are found at start-up
(partnership/apps.py). A handler takes the job, reads its ids from `job.arguments`, and must be
safe to run twice.
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from celery import shared_task
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


@dataclass(frozen=True)
class JobKind:
    name: str
    run: Callable[[BackgroundJob], dict | None]
    # Running longer than this means the worker died: the sweep requeues the job.
    time_limit: datetime.timedelta
    max_attempts: int


_KINDS: dict[str, JobKind] = {}


def job_handler(
    kind: str,
    *,
    time_limit: datetime.timedelta = DEFAULT_TIME_LIMIT,
    max_attempts: int = 3,
):
    """Register the handler of a kind of job: `def run(job) -> dict | None` (the result, if any)."""

    def register(run):
        _KINDS[kind] = JobKind(kind, run, time_limit, max_attempts)
        return run

    return register


def job_kinds() -> dict[str, JobKind]:
    return _KINDS


# --- Requesting ------------------------------------------------------------------------------------


@transaction.atomic
def job_request(*, kind: str, key: str, arguments: dict | None = None, requested_by=None) -> tuple[BackgroundJob, bool]:
    """The active job with this key, or a new one sent to the broker once the caller commits.
    Returns (job, created)."""
    if kind not in _KINDS:
        raise LookupError(f"no handler for background job kind {kind!r}")
    existing = BackgroundJob.objects.select_for_update().filter(key=key, state__in=ACTIVE_STATES).first()
    if existing is not None:
        if existing.state == State.RUNNING and _is_stuck(existing, timezone.now()):  # its worker died
            existing.state, existing.sent_at = State.QUEUED, None
            existing.save(update_fields=["state", "sent_at", "updated_at"])
        if existing.state == State.QUEUED and existing.sent_at is None:  # the broker never got it
            transaction.on_commit(lambda: job_send(existing.pk))
        return existing, False
    try:
        with transaction.atomic():
            job = BackgroundJob.objects.create(kind=kind, key=key, arguments=arguments or {}, requested_by=requested_by)
    except IntegrityError:  # a concurrent request for the same key won the race: that is the job
        return BackgroundJob.objects.get(key=key, state__in=ACTIVE_STATES), False
    transaction.on_commit(lambda: job_send(job.pk))
    return job, True


def job_send(job_id: int) -> bool:
    """Hand the job to the broker; False (logged, the job still queued) when the broker is down."""
    sent = BackgroundJob.objects.filter(pk=job_id, state=State.QUEUED).update(sent_at=timezone.now())
    if not sent:
        return False
    try:
        job_run_task.apply_async((job_id,), retry=False)
    except BROKER_ERRORS as error:
        BackgroundJob.objects.filter(pk=job_id, state=State.QUEUED).update(sent_at=None)
        logger.warning("Background job %s waits for the broker: %s", job_id, type(error).__name__)
        return False
    return True


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
    kind = _KINDS.get(job.kind)
    try:
        if kind is None:
            raise LookupError(f"no handler for background job kind {job.kind!r}")
        result = kind.run(job) or {}
    except Exception as error:  # the outcome is recorded; the traceback goes to the log
        logger.exception("Background job %s (%s) failed", job.pk, job.kind)
        # The page says in its own words that it failed; the exception's text may hold personal data.
        _finish(job, state=State.FAILED, error=type(error).__name__)
        return job
    _finish(job, state=State.DONE, result=result)
    return job


def _finish(job: BackgroundJob, *, state: str, result: dict | None = None, error: str = "") -> None:
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
    BackgroundJob.objects.filter(pk=job.pk, state=State.RUNNING, started_at=job.started_at).update(
        **{field: getattr(job, field) for field in fields if field != "updated_at"}, updated_at=job.finished_at
    )


def job_progress(job: BackgroundJob, percent: int) -> None:
    """Tell the waiting page how far the job has come (0–100)."""
    job.progress = max(0, min(100, percent))
    BackgroundJob.objects.filter(pk=job.pk, state=State.RUNNING).update(progress=job.progress)


# --- The sweep -------------------------------------------------------------------------------------


def _is_stuck(job: BackgroundJob, now: datetime.datetime) -> bool:
    kind = _KINDS.get(job.kind)
    limit = kind.time_limit if kind else DEFAULT_TIME_LIMIT
    return job.started_at is not None and job.started_at < now - limit


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
    ).values_list("pk", flat=True)
    sent = sum(job_send(job_id) for job_id in list(unsent))
    return {"sent": sent, "requeued": requeued, "failed": failed}


# --- The Celery side -------------------------------------------------------------------------------


@shared_task(name="partnership.job_run", acks_late=True, reject_on_worker_lost=True)
def job_run_task(job_id: int) -> None:
    job_run(job_id)


@shared_task(name="partnership.jobs_sweep")
def jobs_sweep_task() -> dict[str, int]:
    return jobs_sweep()
