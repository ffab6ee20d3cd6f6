# Every member has a public id now (0006): make it required and unique.

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("followup", "0006_members_end_and_public_id"),
    ]

    operations = [
        migrations.AlterField(
            model_name="cooperationgroupmember",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
