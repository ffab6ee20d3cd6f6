from django.db import migrations, models


class Migration(migrations.Migration):
    """The access log moved to the partnership app (its 0007); the table, its trigger and the
    spot checks' link table stay as they are, so only Django's idea of the models changes."""

    dependencies = [
        ('consent', '0003_access_log_append_only'),
        ('partnership', '0007_followup_app_access_log_background_jobs'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='logreview',
                    name='sample',
                    field=models.ManyToManyField(related_name='reviews', to='partnership.accesslogentry'),
                ),
                migrations.DeleteModel(
                    name='AccessLogEntry',
                ),
            ],
        ),
    ]
