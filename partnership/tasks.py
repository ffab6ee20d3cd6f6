"""Reminder sweeps. The mails go through the background-job pipeline (partnership/jobs.py)."""

from celery import shared_task

from .reminders import reminder_mails_request, reminders_sweep_all


@shared_task
def reminders_sweep() -> dict[str, int]:
    """Hourly (config/celery.py): record what is due, then request one mail job per batch of
    reminders not yet sent. With the broker down the jobs wait in the database and the job sweep
    sends them once it is back; what a failed mail left unsent is requested again next hour."""
    created = reminders_sweep_all()
    reminder_mails_request()
    return created
