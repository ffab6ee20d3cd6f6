"""Background work of the data lifecycle: tasks take ids, call a service, are safe to run twice."""

import logging

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import OperationalError
from django.utils import timezone

from partnership.queue import enqueue

from .models import PurgeRecord, PurgeRule
from .purge import PURGE_BATCH, interest_registrations_purge_due, purge_files_delete_many, referrals_purge
from .selectors import referrals_purge_due
from .services import referrals_waiting_list_lapse
from .signals import purge_sweep_ran

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def referral_purge_task(
    referral_ids: int | list[int], rule: str = PurgeRule.GRACE_PERIOD, by_id: int | None = None
) -> int:
    """Purge a batch of children's data (one id or a list of at most PURGE_BATCH) in one
    transaction, set-based. A rerun after a crash finishes the job; after success it only
    finishes file deletion. Returns how many children's records it handled."""
    ids = [referral_ids] if isinstance(referral_ids, int) else list(referral_ids)
    by = get_user_model().objects.get(pk=by_id) if by_id else None
    return len(referrals_purge(referral_ids=ids, by=by, rule=rule))


@shared_task
def purge_due_sweep() -> int:
    """Daily (config/celery.py): enqueue one purge task per batch of PURGE_BATCH children whose
    grace period has run out, purge interest registrations that never became referrals, and
    finish file deletions a crash left behind. Returns how many children were enqueued."""
    today = timezone.localdate()
    # First the waiting list: a referral ended tonight starts its purge clock now.
    try:
        referrals_waiting_list_lapse(on=today)
    except Exception:
        logger.exception("Could not end the unconfirmed waiting-list referrals; the next sweep retries")
    enqueued = 0
    due = list(referrals_purge_due(on=today).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(due), PURGE_BATCH):
        batch = due[start : start + PURGE_BATCH]
        if enqueue(referral_purge_task, batch):
            enqueued += len(batch)
    # One transaction of its own: if it fails nothing of it is done, the referral purges above are
    # already on their way, the file deletions below still run, and tomorrow's sweep tries again.
    try:
        interest_registrations_purge_due(on=today)
    except Exception:
        logger.exception("Could not purge the due interest registrations; the next sweep retries")
    for _receiver, outcome in purge_sweep_ran.send_robust(sender=PurgeRecord, on=today):
        if isinstance(outcome, Exception):
            logger.error("A purge step of another app failed (%s); the next sweep retries", type(outcome).__name__)
    unfinished = list(PurgeRecord.objects.filter(files_deleted_at__isnull=True).values_list("pk", flat=True))
    if unfinished:
        purge_files_delete_many(record_ids=unfinished)
    return enqueued
