"""The coordinator's "planned groups" mailing to the city's contact list (issue 15), built from the
public page's data and sent through the background-job pipeline (partnership/jobs.py) in batches,
each mail claimed as it goes."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import override

from followup.models import DistrictContact
from groups.models import GroupStatus
from partnership.jobs import job_request_batches

from .models import PlannedGroupsMail, PlannedGroupsMailing
from .public import public_row, published_groups

PLANNED_GROUPS_JOB = "coordination.planned_groups_mail"


def planned_group_rows() -> list:
    """The published groups that have not started (planned or open), as the public page shows them."""
    groups = published_groups().filter(status__in=[GroupStatus.PLANNED, GroupStatus.OPEN])
    with override("sv"):
        return [public_row(group, language="sv") for group in groups[:200]]


def mailing_body(*, intro: str, rows: list, public_url: str) -> str:
    return render_to_string("emails/planned_groups-body.txt", {"intro": intro, "rows": rows, "public_url": public_url})


def recipients(contact_kind: str = ""):
    contacts = DistrictContact.objects.filter(is_active=True)
    return contacts.filter(kind=contact_kind) if contact_kind else contacts


@transaction.atomic
def planned_groups_mailing_send(*, subject: str, intro: str, contact_kind: str, public_url: str, by):
    """Record the mailing and one mail per active contact, and request the jobs that send them."""
    body = mailing_body(intro=intro.strip(), rows=planned_group_rows(), public_url=public_url)
    mailing = PlannedGroupsMailing.objects.create(
        subject=subject.strip(), intro=intro.strip(), contact_kind=contact_kind, body=body, created_by=by
    )
    PlannedGroupsMail.objects.bulk_create(
        PlannedGroupsMail(mailing=mailing, contact_id=contact_id)
        for contact_id in recipients(contact_kind).values_list("pk", flat=True)
    )
    ids = list(mailing.mails.order_by("pk").values_list("pk", flat=True))
    job_request_batches(kind=PLANNED_GROUPS_JOB, ids=ids, requested_by=by)
    return mailing


def planned_groups_mail_send(mail_id: int, *, connection=None) -> bool:
    """Claim one mail and send it, in one transaction: a failed mail stays unsent for the rerun."""
    with transaction.atomic():
        mail = (
            PlannedGroupsMail.objects.select_for_update(skip_locked=True)
            .select_related("mailing", "contact")
            .filter(pk=mail_id, sent_at__isnull=True)
            .first()
        )
        if mail is None or not mail.contact.is_active:
            return False
        EmailMessage(
            subject=mail.mailing.subject,
            body=mail.mailing.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[mail.contact.email],
            connection=connection,
        ).send()
        mail.sent_at = timezone.now()
        mail.save(update_fields=["sent_at"])
        return True
