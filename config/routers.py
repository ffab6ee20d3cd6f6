"""Database routing: report reads to the read replica when one is configured.

Enabled by DATABASE_REPLICA_URL (config/settings.py). Only reads made inside
partnership.replica.report_reads() go to the replica, never writes, migrations or any other read.
"""

from django.conf import settings

from partnership.replica import in_report_reads


class ReportReplicaRouter:
    def db_for_read(self, model, **hints):
        if settings.REPORT_DATABASE != "default" and in_report_reads():
            return settings.REPORT_DATABASE
        return None

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary: objects read from either may relate.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica follows the primary's schema by replication, never by migrate.
        return db != "replica"
