import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_ready
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("gruppstod")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic schedules are declared here, in one place (later issues add to it).
app.conf.beat_schedule = {
    # Background jobs the broker never received (it was down) or a dead worker left: sent again.
    "jobs-sweep": {"task": "partnership.jobs_sweep", "schedule": float(settings.JOBS_SWEEP_SECONDS)},
    # IOP 2.3: purge what has passed its grace period, at night when nobody works in the app.
    "purge-due-daily": {"task": "referrals.tasks.purge_due_sweep", "schedule": crontab(hour=2, minute=30)},
    # Reminders are derived from the database; hourly, so a broker outage only delays them.
    "concern-reports-pending-hourly": {
        "task": "consent.tasks.concern_reports_notify_pending",
        "schedule": crontab(minute=5),
    },
    "reminders-sweep-hourly": {"task": "partnership.tasks.reminders_sweep", "schedule": crontab(minute=15)},
    # Foster families who asked for it hear about tomorrow's meeting in the daytime, not at night.
    "family-reminders-daytime": {
        "task": "groups.tasks.family_reminders_sweep",
        "schedule": crontab(minute=25, hour="9-20"),
    },
}


@worker_ready.connect
def _sweep_background_jobs_on_start(sender, **kwargs):
    # Jobs requested while no worker (or no broker) was there run as soon as a worker is.
    sender.app.send_task("partnership.jobs_sweep")
