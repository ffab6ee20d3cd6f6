from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _seed_reference_data_into_an_empty_database(sender, using, apps=None, **kwargs):
    # Migration 0002 seeds a new database once. `flush` (and every transactional test's
    # teardown) empties the tables but leaves the migration recorded as applied; it then emits
    # post_migrate, so refill them here. A database that already has districts is left alone,
    # so districts renamed or retired in the admin are never brought back.
    from django.apps import apps as global_apps

    from partnership.reference_data import seed_reference_data

    apps = apps or global_apps

    District = apps.get_model("partnership", "District")
    if not District.objects.using(using).exists():
        seed_reference_data(apps)


class PartnershipConfig(AppConfig):
    name = "partnership"
    verbose_name = _("Partnerskap")

    def ready(self):
        post_migrate.connect(_seed_reference_data_into_an_empty_database, sender=self)
