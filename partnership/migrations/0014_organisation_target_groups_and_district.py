"""The organisation's public id becomes unique; an organisation lists the target groups it serves
(existing providers get those of their arrangements); only a district administration has a
district, and a district has at most one organisation."""

import uuid

from django.db import migrations, models


def target_groups_from_arrangements(apps, schema_editor):
    Organisation = apps.get_model("partnership", "Organisation")
    Agreement = apps.get_model("partnership", "Agreement")
    for organisation in Organisation.objects.all():
        served = Agreement.objects.filter(provider=organisation).values_list("target_group_id", flat=True)
        organisation.target_groups.add(*set(served))


class Migration(migrations.Migration):
    dependencies = [
        ("partnership", "0013_organisation_public_id"),
    ]

    operations = [
        migrations.AlterField(
            model_name="organisation",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AddField(
            model_name="organisation",
            name="target_groups",
            field=models.ManyToManyField(
                blank=True, related_name="providers", to="partnership.targetgroup", verbose_name="målgrupper"
            ),
        ),
        migrations.AddConstraint(
            model_name="organisation",
            constraint=models.CheckConstraint(
                condition=models.Q(("organisation_type", "district"), ("district__isnull", True), _connector="OR"),
                name="organisation_district_only_for_district_type",
            ),
        ),
        migrations.AddConstraint(
            model_name="organisation",
            constraint=models.UniqueConstraint(fields=("district",), name="organisation_one_per_district"),
        ),
        # Data last: no table is altered after rows were written in this transaction.
        migrations.RunPython(target_groups_from_arrangements, migrations.RunPython.noop),
    ]
