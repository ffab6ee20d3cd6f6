from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _seed_reference_data_into_an_empty_database(sender, using, apps=None, **kwargs):
    # Migrations 0002 and 0005 seed a new database once. `flush` (and every transactional test's
    # teardown) empties the tables but leaves the migrations recorded as applied; it then emits
    # post_migrate, so refill them here. Only empty tables are filled, so districts or
    # questionnaires changed in the admin are never brought back.
    from django.apps import apps as global_apps

    from partnership.evaluation_defaults import seed_default_instruments
    from partnership.reference_data import seed_reference_data

    apps = apps or global_apps
    if not apps.get_model("partnership", "District").objects.using(using).exists():
        seed_reference_data(apps)
    if not apps.get_model("partnership", "EvaluationInstrument").objects.using(using).exists():
        seed_default_instruments(apps)


class PartnershipConfig(AppConfig):
    name = "partnership"
    verbose_name = _("Partnerskap")

    def ready(self):
        post_migrate.connect(_seed_reference_data_into_an_empty_database, sender=self)
