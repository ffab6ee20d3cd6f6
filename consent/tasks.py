from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from partnership.queue import enqueue

from .models import ConcernReport
from .selectors import concern_report_alert_recipients, concern_report_recipients


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=10)
def concern_report_notify_district(report_id: int) -> int:
    """Tell the child's district that a concern was reported. Safe to run twice.

    Recipients: consent.selectors.concern_report_recipients (social workers, else the case
    officer and the contact list). With nobody to reach, the report is not marked as sent: it
    stays open for the hourly sweep to try again, and the first time the coordinator and Bris'
    operations managers are alerted, so that someone phones the district."""
    with transaction.atomic():
        report = (
            ConcernReport.objects.select_for_update(of=("self",))
            .select_related("referral__district", "referral__agreement")
            .filter(pk=report_id, district_notified_at__isnull=True)
            .first()
        )
        if report is None:
            return 0
        context = {"report": report, "referral": report.referral}
        recipients = concern_report_recipients(report)
        if not recipients:
            if report.unreachable_since is None:
                report.unreachable_since = timezone.now()
                report.save(update_fields=["unreachable_since", "updated_at"])
                alerted = concern_report_alert_recipients(report)
                if alerted:
                    send_mail(
                        subject=render_to_string("emails/concern_unreachable-subject.txt", context).strip(),
                        message=render_to_string("emails/concern_unreachable-body.txt", context),
                        from_email=settings.DEFAULT_FROM_EMAIL,
                        recipient_list=alerted,
                    )
            return 0
        report.district_notified_at = timezone.now()
        report.save(update_fields=["district_notified_at", "updated_at"])
        # The mail names only the pseudonym: details are read in the app, behind login.
        send_mail(
            subject=render_to_string("emails/concern_report-subject.txt", context).strip(),
            message=render_to_string("emails/concern_report-body.txt", context),
            html_message=render_to_string("emails/concern_report-body.html", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=recipients,
        )
        return len(recipients)


@shared_task
def concern_reports_notify_pending() -> int:
    """Hourly (config/celery.py): send what a broker outage kept from being sent."""
    pending = ConcernReport.objects.filter(district_notified_at__isnull=True).values_list("pk", flat=True)
    return sum(enqueue(concern_report_notify_district, report_id) for report_id in pending)
