"""Background work of follow-up (the pipeline: partnership/jobs.py): the follow-up report's PDF and
the invitations to a breakfast meeting."""

from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from partnership.jobs import job_handler

from .information import INVITATIONS_JOB
from .models import InformationInvitation
from .report import FOLLOWUP_REPORT_JOB, followup_report_build

job_handler(FOLLOWUP_REPORT_JOB)(followup_report_build)


@job_handler(INVITATIONS_JOB, max_attempts=5, retry_on=(OSError,))
def information_invitations_send(job) -> dict:
    """Mail the meeting's invitations not sent yet, one per contact. Each row is claimed and mailed
    in one transaction, so a rerun sends only what is left and a failed mail is sent next time."""
    with get_connection() as connection:  # one session with the mail server for the whole batch
        return {"sent": _invitations_send(job.arguments["meeting_id"], connection)}


def _invitations_send(meeting_id: int, connection) -> int:
    sent = 0
    while True:
        with transaction.atomic():
            invitation = (
                InformationInvitation.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("meeting", "contact__district")
                .filter(meeting_id=meeting_id, sent_at__isnull=True)
                .first()
            )
            if invitation is None:
                return sent
            context = {"meeting": invitation.meeting, "contact": invitation.contact}
            send_mail(
                subject=render_to_string("emails/information_invitation-subject.txt", context).strip(),
                message=render_to_string("emails/information_invitation-body.txt", context),
                html_message=render_to_string("emails/information_invitation-body.html", context),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[invitation.contact.email],
                connection=connection,
            )
            invitation.sent_at = timezone.now()
            invitation.save(update_fields=["sent_at"])
            sent += 1
