from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from partnership.models import Membership, Role
from partnership.queue import enqueue

from .models import ConcernReport


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=10)
def concern_report_notify_district(report_id: int) -> int:
    """Tell the child's district social workers that a concern was reported. Safe to run twice."""
    with transaction.atomic():
        claimed = ConcernReport.objects.filter(pk=report_id, district_notified_at__isnull=True).update(
            district_notified_at=timezone.now()
        )
        if not claimed:
            return 0
        report = ConcernReport.objects.select_related("referral__district").get(pk=report_id)
        recipients = list(
            Membership.objects.filter(role=Role.SOCIAL_WORKER, district=report.referral.district)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
        context = {"report": report, "referral": report.referral}
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
