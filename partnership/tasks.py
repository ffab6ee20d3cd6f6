"""Reminder sweeps and mails. Tasks take ids and are safe to run twice."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Reminder
from .queue import enqueue
from .reminders import kind_label, reminders_sweep_all

logger = logging.getLogger(__name__)


@shared_task
def reminders_sweep() -> dict[str, int]:
    """Hourly (config/celery.py): record what is due, then enqueue a mail for every reminder not
    yet sent. A mail that could not be enqueued (broker down) is simply found again next hour."""
    created = reminders_sweep_all()
    for reminder_id in Reminder.objects.filter(sent_at__isnull=True, done_at__isnull=True).values_list("pk", flat=True):
        enqueue(reminder_send, reminder_id)
    return created


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=10)
def reminder_send(reminder_id: int) -> bool:
    """Mail one reminder once. The claim and the mail share a transaction: a failed send rolls the
    claim back, and the next sweep tries again."""
    with transaction.atomic():
        claimed = Reminder.objects.filter(pk=reminder_id, sent_at__isnull=True).update(sent_at=timezone.now())
        if not claimed:
            return False
        reminder = Reminder.objects.select_related("recipient").get(pk=reminder_id)
        if not reminder.recipient.email:
            return False  # shown in the app only
        context = {"reminder": reminder, "kind": kind_label(reminder.kind), "recipient": reminder.recipient}
        send_mail(
            subject=render_to_string("emails/reminder-subject.txt", context).strip(),
            message=render_to_string("emails/reminder-body.txt", context),
            html_message=render_to_string("emails/reminder-body.html", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[reminder.recipient.email],
        )
        return True
