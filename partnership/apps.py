from django.apps import AppConfig
from django.apps import apps as global_apps
from django.conf import settings
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from .reference_data import seed_reference_data


def _seed_reference_data_into_an_empty_database(sender, using, apps=None, **kwargs):
    # Migration 0002 seeds a new database once. `flush` (and every transactional test's teardown)
    # empties the tables but leaves the migrations recorded as applied; it then emits
    # post_migrate, so refill them here. Only an empty table is filled, so districts changed in
    # the admin are never brought back.
    apps = apps or global_apps
    if not apps.get_model("partnership", "District").objects.using(using).exists():
        seed_reference_data(apps)


class PartnershipConfig(AppConfig):
    name = "partnership"
    verbose_name = _("Partnerskap")

    def ready(self):
        post_migrate.connect(_seed_reference_data_into_an_empty_database, sender=self)
        # The apps above this one react to the events of the apps below them through hooks and
        # signals, which each connects in its receivers.py, and declare their background jobs in
        # their jobs.py and their reminder kinds in reminders.py (partnership's own reminders.py
        # declares the reminder mails' job). All are imported here once every model is loaded, as
        # the admin finds admin.py, so a worker knows every kind before its first job; lower apps
        # never import higher ones.
        autodiscover_modules("receivers", "jobs", "reminders")
        if settings.CELERY_TASK_ALWAYS_EAGER:
            # This process runs every task and job itself, so it loads what otherwise only a
            # Celery worker imports: the tasks modules, with the handlers too heavy for a web
            # process (partnership/jobs.py, worker_job_handler).
            autodiscover_modules("tasks")
