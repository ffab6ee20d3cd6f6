from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from .evaluation_defaults import seed_default_instruments


def _seed_default_instruments_into_an_empty_database(sender, using, apps=None, **kwargs):
    # As partnership's reference data: `flush` empties the questionnaires the migration installed
    # and then emits post_migrate, so refill an empty table (and only an empty one).
    apps = apps or global_apps
    if not apps.get_model("followup", "EvaluationInstrument").objects.using(using).exists():
        seed_default_instruments(apps)


class FollowupConfig(AppConfig):
    name = "followup"
    verbose_name = _("Uppföljning")

    def ready(self):
        post_migrate.connect(_seed_default_instruments_into_an_empty_database, sender=self)
