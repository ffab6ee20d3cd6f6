from django.db import migrations

from partnership.evaluation_defaults import seed_default_instruments


def seed(apps, schema_editor):
    seed_default_instruments(apps)


class Migration(migrations.Migration):
    dependencies = [("partnership", "0004_followup")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
