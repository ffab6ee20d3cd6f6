import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The report's state now lives on its background job (the previous migration made one for
    every report). A migration of its own: PostgreSQL alters no table in the transaction that
    wrote the rows."""

    dependencies = [("followup", "0002_followup_report_background_job")]

    operations = [
        migrations.RemoveField(model_name="followupreport", name="error"),
        migrations.RemoveField(model_name="followupreport", name="finished_at"),
        migrations.RemoveField(model_name="followupreport", name="progress"),
        migrations.RemoveField(model_name="followupreport", name="status"),
        migrations.AlterField(
            model_name="followupreport",
            name="job",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="partnership.backgroundjob"
            ),
        ),
    ]
