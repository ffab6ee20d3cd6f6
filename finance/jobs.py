"""Background work of finance: the annual financial report's PDF (the pipeline: partnership/jobs.py)."""

from django.core.files.base import ContentFile
from django.utils import timezone

from partnership.jobs import job_handler, job_progress
from partnership.pdf import render_pdf

from . import selectors
from .models import AnnualReport
from .services import ANNUAL_REPORT_JOB


@job_handler(ANNUAL_REPORT_JOB)
def annual_report_build(job) -> None:
    """Render and store the report's PDF. Run again, it renders again and replaces the file."""
    report = AnnualReport.objects.select_related("budget_year__agreement").get(job=job)
    figures = selectors.annual_report_figures(report.budget_year)
    job_progress(job, 50)
    pdf = render_pdf("finance/pdf/annual_report.html", {"figures": figures, "generated_at": timezone.now()})
    job_progress(job, 90)
    if report.pdf:  # an earlier run of this job got this far
        report.pdf.delete(save=False)
    report.pdf.save(f"redovisning-{report.budget_year.year}-{report.public_id}.pdf", ContentFile(pdf), save=True)
