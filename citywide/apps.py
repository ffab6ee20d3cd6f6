from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _

from .sql import register_sqlite_functions


class CitywideConfig(AppConfig):
    name = "citywide"
    verbose_name = _("Staden i helhet")

    def ready(self):
        # PostgreSQL computes percentiles itself; the quick test database (SQLite) gets the same
        # aggregate as a function of the connection, so the figures are made in the database on both.
        connection_created.connect(register_sqlite_functions)
