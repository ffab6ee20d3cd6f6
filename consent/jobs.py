"""Background work of consent (the pipeline: partnership/jobs.py): the concern-report mail to the
child's district."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from partnership.jobs import job_handler, mail_batch_send
from partnership.models import Membership, Role

from .models import ConcernReport
from .services import CONCERN_REPORT_MAILS_JOB


def concern_report_notify_district(report_id: int, *, connection=None) -> int:
    """Tell the child's district social workers that a concern was reported; returns how many were
    told. The claim and the mail share a transaction: a failed send rolls the claim back and the
    next run tries again. Safe to run twice."""
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
    return mail_batch_send(job, concern_report_notify_district)
