from django.db import migrations

# The questionnaires moved to the followup app in wave 2; at this point of history they are
# still partnership's models.
from followup.evaluation_defaults import seed_default_instruments


def seed(apps, schema_editor):
    seed_default_instruments(apps, app_label="partnership")


class Migration(migrations.Migration):
    dependencies = [("partnership", "0004_followup")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
