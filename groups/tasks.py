"""Background work of the groups app. Tasks take ids and are safe to run twice."""

from celery import shared_task
from django.utils import timezone

from partnership.queue import enqueue

from . import family_reminders


@shared_task
def family_reminders_sweep() -> int:
    """Hourly in the daytime (config/celery.py): record tomorrow's reminders to opted-in foster
    families, then enqueue a mail for each one not yet sent. What could not be enqueued (broker
    down) is found again next hour. Returns how many reminders were new."""
    created = family_reminders.family_reminders_record(today=timezone.localdate())
    family_reminders.family_reminders_expire()
    for reminder_id in family_reminders.family_reminders_unsent():
        enqueue(family_reminder_send, reminder_id)
    return created


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=10)
def family_reminder_send(reminder_id: int) -> bool:
    return family_reminders.family_reminder_send(reminder_id=reminder_id)
