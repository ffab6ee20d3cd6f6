# A cooperation or reference group's membership ends rather than being deleted (issue 16): the
# member keeps their row, with the last day, so that past decisions still name them. Members get a
# public id for their pages' addresses; the rows there already get one each here, and the next
# migration makes it unique (a separate transaction: PostgreSQL refuses to alter a table with
# updates of it still pending in the same one).

import uuid

from django.db import migrations, models


def give_each_member_a_public_id(apps, schema_editor):
    Member = apps.get_model("followup", "CooperationGroupMember")
    for member in Member.objects.filter(public_id__isnull=True).only("pk"):
        Member.objects.filter(pk=member.pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [
        ("followup", "0005_reference_groups_share_the_cooperation_machinery"),
    ]

    operations = [
        migrations.AddField(
            model_name="cooperationgroupmember",
            name="ended_on",
            field=models.DateField(blank=True, null=True, verbose_name="ledamot till och med"),
        ),
        migrations.AddField(
            model_name="cooperationgroupmember",
            name="public_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_each_member_a_public_id, migrations.RunPython.noop),
    ]
