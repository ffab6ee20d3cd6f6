"""Background work of consent (the pipeline: partnership/jobs.py): the concern-report mail to the
child's district."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from partnership.jobs import job_handler, mail_batch_send

from .models import ConcernReport
from .selectors import concern_report_alert_recipients, concern_report_recipients
from .services import CONCERN_REPORT_MAILS_JOB


def concern_report_notify_district(report_id: int, *, connection=None) -> int:
    """Tell the child's district that a concern was reported; returns how many were told. Safe to
    run twice: the report row is locked and marked sent in the transaction that mails, so a failed
    send rolls the mark back and the next run tries again.

    Recipients: consent.selectors.concern_report_recipients (the district's social workers, else the
    case officer and the district's contact list). With nobody to reach, the report is not marked
    as sent: it stays open for the hourly sweep, and the first time the coordinator and Bris'
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
                    EmailMultiAlternatives(
                        subject=render_to_string("emails/concern_unreachable-subject.txt", context).strip(),
                        body=render_to_string("emails/concern_unreachable-body.txt", context),
                        from_email=settings.DEFAULT_FROM_EMAIL,
                        to=alerted,
                        connection=connection,
                    ).send()
            return 0
        report.district_notified_at = timezone.now()
        report.save(update_fields=["district_notified_at", "updated_at"])
        # The mail names only the pseudonym: details are read in the app, behind login.
        message = EmailMultiAlternatives(
            subject=render_to_string("emails/concern_report-subject.txt", context).strip(),
            body=render_to_string("emails/concern_report-body.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=recipients,
            connection=connection,
        )
        message.attach_alternative(render_to_string("emails/concern_report-body.html", context), "text/html")
        message.send()
        return len(recipients)


@job_handler(CONCERN_REPORT_MAILS_JOB, max_attempts=5, retry_on=(OSError,))
def concern_report_mails_send(job) -> dict:
    # A concern is urgent: a mail server that did not answer is tried again within a minute.
    return mail_batch_send(job, concern_report_notify_district)  # type: ignore[arg-type]
