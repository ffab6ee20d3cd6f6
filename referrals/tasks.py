"""Background work of the data lifecycle: tasks take ids, call a service, are safe to run twice."""

import logging

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import OperationalError
from django.utils import timezone

from partnership.queue import enqueue

from .models import PurgeRecord, PurgeRule, Referral
from .purge import interest_registrations_purge_due, purge_files_delete, referral_purge
from .selectors import referrals_purge_due
from .services import referrals_waiting_list_lapse

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def referral_purge_task(referral_id: int, rule: str = PurgeRule.GRACE_PERIOD, by_id: int | None = None) -> int:
    """Purge one child's data. A rerun after a crash finishes the job; after success it is a no-op."""
    referral = Referral.objects.get(pk=referral_id)
    by = get_user_model().objects.get(pk=by_id) if by_id else None
    return referral_purge(referral=referral, by=by, rule=rule).pk


@shared_task
def purge_due_sweep() -> int:
    """Daily (config/celery.py): enqueue one purge per child whose grace period has run out, purge
    interest registrations that never became referrals, and finish file deletions a crash left
    behind. Returns how many referral purges were enqueued."""
    today = timezone.localdate()
    # First the waiting list: a referral ended tonight starts its purge clock now.
    try:
        referrals_waiting_list_lapse(on=today)
    except Exception:
        logger.exception("Could not end the unconfirmed waiting-list referrals; the next sweep retries")
    enqueued = 0
    for referral_id in referrals_purge_due(on=today).values_list("pk", flat=True):
        enqueued += enqueue(referral_purge_task, referral_id)
    # One transaction of its own: if it fails nothing of it is done, the referral purges above are
    # already on their way, the file deletions below still run, and tomorrow's sweep tries again.
    try:
        interest_registrations_purge_due(on=today)
    except Exception:
        logger.exception("Could not purge the due interest registrations; the next sweep retries")
    for record_id in PurgeRecord.objects.filter(files_deleted_at__isnull=True).values_list("pk", flat=True):
        purge_files_delete(record_id=record_id)
    return enqueued
