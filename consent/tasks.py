"""Periodic sweeps of consent. The mails go through the background-job pipeline (consent/jobs.py)."""

from celery import shared_task

from .services import concern_report_mails_request


@shared_task
def concern_reports_notify_pending() -> int:
    """Hourly (config/celery.py): request the mail of every concern report the district has not been
    told of yet (a broker outage, a mail server that failed). Returns how many jobs were requested."""
    return len(concern_report_mails_request())
