from celery import shared_task

from . import services


@shared_task
def generate_annual_report(report_id: int) -> None:
    # Takes an id, not a row; the service claims the report, so a second run does nothing.
    services.annual_report_build(report_id=report_id)
