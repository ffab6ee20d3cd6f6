import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The report's state now lives on its background job (the previous migration made one for
    every report). A migration of its own: PostgreSQL alters no table in the transaction that
    wrote the rows."""

    dependencies = [("finance", "0005_annual_report_background_job")]

    operations = [
        migrations.RemoveConstraint(model_name="annualreport", name="annual_report_progress_at_most_100"),
        migrations.RemoveField(model_name="annualreport", name="error"),
        migrations.RemoveField(model_name="annualreport", name="finished_at"),
        migrations.RemoveField(model_name="annualreport", name="progress"),
        migrations.RemoveField(model_name="annualreport", name="status"),
        migrations.AlterField(
            model_name="annualreport",
            name="job",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="partnership.backgroundjob"
            ),
        ),
    ]
