"""The change history (auditlog's LogEntry, partnership/history.py) is append-only: PostgreSQL
refuses every DELETE and every UPDATE but one, the purge's, which removes a reason (free text that
may name the child) and changes nothing else. Whoever asks, the admin and a mistaken query too.

(SQLite, used only for the local demo and the quick tests, relies on the application offering
neither.)
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION change_history_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.additional_data IS NULL
       AND to_jsonb(NEW) - 'additional_data' = to_jsonb(OLD) - 'additional_data' THEN
        RETURN NEW;  -- the purge clears a reason (referrals/purge.py)
    END IF;
    RAISE EXCEPTION 'auditlog_logentry is append-only (only the purge may clear a reason)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER change_history_append_only
    BEFORE UPDATE OR DELETE ON auditlog_logentry
    FOR EACH ROW EXECUTE FUNCTION change_history_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS change_history_append_only ON auditlog_logentry;
DROP FUNCTION IF EXISTS change_history_refuse_change();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("partnership", "0008_access_log_indexes_for_every_filter"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
