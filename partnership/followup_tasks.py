"""Background work of the follow-up pages. Tasks take ids and are safe to run twice.

(Named followup_tasks rather than tasks so that it merges beside the other apps' task modules;
config/celery.py discovers it by name.)"""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import InformationInvitation


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=10)
def information_invitations_send(meeting_id: int) -> int:
    """Mail the invitations of a breakfast meeting that have not been sent yet, one per contact."""
    sent = 0
    while True:
        with transaction.atomic():
            invitation = (
                InformationInvitation.objects.select_for_update(skip_locked=True)
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
            )
            invitation.sent_at = timezone.now()
            invitation.save(update_fields=["sent_at"])
            sent += 1


@shared_task
def followup_report_build(report_id: int) -> None:
    from .followup_report import followup_report_build as build

    build(report_id=report_id)
