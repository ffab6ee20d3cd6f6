"""The access log is append-only: PostgreSQL refuses UPDATE and DELETE on it, whoever asks.

(SQLite, used only for the local demo, relies on the application never offering either.)
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION consent_access_log_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'consent_accesslogentry is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER consent_access_log_append_only
    BEFORE UPDATE OR DELETE ON consent_accesslogentry
    FOR EACH ROW EXECUTE FUNCTION consent_access_log_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS consent_access_log_append_only ON consent_accesslogentry;
DROP FUNCTION IF EXISTS consent_access_log_refuse_change();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("consent", "0002_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
