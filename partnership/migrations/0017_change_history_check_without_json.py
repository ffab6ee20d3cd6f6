"""The change history's append-only trigger (0009) checks the purge's UPDATE without turning both
rows into JSON: it compares the new row, with the old reason put back, to the old row. The same
rule (every DELETE and every UPDATE refused but one that only clears additional_data), at a
fraction of the cost per row: the purge clears thousands of reasons per batch (IOP 2.3).

(SQLite, used only for the local demo and the quick tests, has no trigger; see 0009.)
"""

from django.db import migrations

CHECK_WITHOUT_JSON = """
CREATE OR REPLACE FUNCTION change_history_refuse_change() RETURNS trigger AS $$
DECLARE
    unchanged auditlog_logentry;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.additional_data IS NULL THEN
        unchanged := NEW;
        unchanged.additional_data := OLD.additional_data;
        IF unchanged IS NOT DISTINCT FROM OLD THEN
            RETURN NEW;  -- the purge clears a reason (referrals/purge.py)
        END IF;
    END IF;
    RAISE EXCEPTION 'auditlog_logentry is append-only (only the purge may clear a reason)';
END;
$$ LANGUAGE plpgsql;
"""

CHECK_WITH_JSON = """
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
"""


def check_without_json(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CHECK_WITHOUT_JSON)


def check_with_json(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CHECK_WITH_JSON)


class Migration(migrations.Migration):
    dependencies = [("partnership", "0016_reminder_fewer_indexes")]

    operations = [migrations.RunPython(check_without_json, check_with_json)]
