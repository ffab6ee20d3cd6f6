import django.db.models.deletion
from django.db import migrations, models

# Wave 2 (issue 11): the annual report's making is a background job like every other; its status,
# progress and finish time move from the report to the job.
STATES = {"pending": "queued", "running": "queued", "done": "done", "failed": "failed"}


def reports_to_jobs(apps, schema_editor):
    AnnualReport = apps.get_model("finance", "AnnualReport")
    BackgroundJob = apps.get_model("partnership", "BackgroundJob")
    active_keys = set()
    for report in AnnualReport.objects.order_by("-created_at", "-pk"):
        key = f"finance.annual_report:{report.budget_year_id}"
        state = STATES[report.status]
        # One job per report may be waiting; one that was lost (a worker died) runs again.
        if state == "queued" and key in active_keys:
            state = "failed"
        if state == "queued":
            active_keys.add(key)
        job = BackgroundJob.objects.create(
            kind="finance.annual_report",
            key=key,
            state=state,
            requested_by_id=report.requested_by_id,
            progress=100 if state == "done" else 0,
            finished_at=report.finished_at if state in ("done", "failed") else None,
            error="Unknown" if state == "failed" else "",
        )
        BackgroundJob.objects.filter(pk=job.pk).update(created_at=report.created_at)
        AnnualReport.objects.filter(pk=report.pk).update(job=job)


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0004_cost_changed_action"),
        ("partnership", "0007_followup_app_access_log_background_jobs"),
    ]

    operations = [
        migrations.AddField(
            model_name="annualreport",
            name="job",
            field=models.OneToOneField(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="partnership.backgroundjob"
            ),
        ),
        migrations.RunPython(reports_to_jobs, migrations.RunPython.noop),
    ]
