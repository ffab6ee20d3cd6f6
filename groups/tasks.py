"""Periodic sweeps of the groups app. The mails go through the background-job pipeline (groups/jobs.py)."""

from celery import shared_task
from django.utils import timezone

from . import family_reminders


@shared_task
def family_reminders_sweep() -> int:
    """Hourly in the daytime (config/celery.py): record tomorrow's reminders to opted-in foster
    families, then request one mail job per batch of those not yet sent. With the broker down the
    jobs wait for the job sweep. Returns how many reminders were new."""
    created = family_reminders.family_reminders_record(today=timezone.localdate())
    family_reminders.family_reminders_expire()
    family_reminders.family_reminder_mails_request()
    return created
