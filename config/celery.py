import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("gruppstod")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(related_name="followup_tasks")  # partnership/followup_tasks.py

# Periodic schedules are declared here, in one place (later issues add to it).
app.conf.beat_schedule = {}
