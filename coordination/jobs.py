"""Background work of the coordination (the pipeline: partnership/jobs.py): the "planned groups"
mailing to the contact list, in batches, each mail claimed as it goes; and the invitation that
lets a provider's first account choose its password."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from partnership.jobs import job_handler, mail_batch_send

from .mailing import PLANNED_GROUPS_JOB, planned_groups_mail_send
from .models import StaffInvitation
from .services import STAFF_INVITATION_JOB


@job_handler(PLANNED_GROUPS_JOB, max_attempts=5, retry_on=(OSError,))
def planned_groups_mails_send(job) -> dict:
    return mail_batch_send(job, planned_groups_mail_send)


def password_link(user, *, base_url: str) -> str:
    """Django's password-reset link: valid PASSWORD_RESET_TIMEOUT, and only until a password is
    set (the token hashes the password, so choosing one spends it)."""
    path = reverse(
        "password_choose",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return base_url.rstrip("/") + path


def staff_invitation_mail_send(invitation_id: int, *, base_url: str, connection=None) -> bool:
    """Mail the invitation once. The claim and the mail share a transaction: a failed send rolls
    the claim back and the rerun tries again. An invitee who has chosen a password meanwhile, or
    whose account was closed, gets nothing."""
    with transaction.atomic():
        invitation = (
            StaffInvitation.objects.select_for_update(of=("self",))
            .select_related("user", "organisation", "invited_by")
            .filter(pk=invitation_id, mail_sent_at__isnull=True)
            .first()
        )
        if invitation is None:
            return False
        user = invitation.user
        if not user.is_active or user.has_usable_password():
            return False
        context = {
            "invitation": invitation,
            "user": user,
            "link": password_link(user, base_url=base_url),
            "link_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        }
        message = EmailMultiAlternatives(
            subject=render_to_string("emails/staff_invitation-subject.txt", context).strip(),
            body=render_to_string("emails/staff_invitation-body.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[user.email],
            connection=connection,
        )
        message.attach_alternative(render_to_string("emails/staff_invitation-body.html", context), "text/html")
        message.send()
        invitation.mail_sent_at = timezone.now()
        invitation.save(update_fields=["mail_sent_at", "updated_at"])
        return True


@job_handler(STAFF_INVITATION_JOB, max_attempts=5, retry_on=(OSError,))
def staff_invitation_mail(job) -> dict:
    # OSError covers smtplib's errors and a refused connection: the job goes back to the queue.
    sent = staff_invitation_mail_send(job.arguments["invitation_id"], base_url=job.arguments["base_url"])
    return {"sent": int(sent)}
