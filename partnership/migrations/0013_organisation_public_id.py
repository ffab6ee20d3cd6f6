"""An organisation gets a public id: the coordinator's provider pages name it in their URLs.
Added nullable and filled here, made unique in the next migration (a table may not be altered in
the transaction that updated its rows on PostgreSQL), so that existing rows each get their own."""

import uuid

from django.db import migrations, models


def fill_public_ids(apps, schema_editor):
    Organisation = apps.get_model("partnership", "Organisation")
    for organisation in Organisation.objects.filter(public_id__isnull=True).only("pk"):
        organisation.public_id = uuid.uuid4()
        organisation.save(update_fields=["public_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("partnership", "0012_coordination_providers_target_groups_arrangements"),
    ]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="public_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
    ]
