"""Emails to foster families the day before each meeting, for those who said yes (issue 7).

The family's yes is recorded on the placement by the group's leaders or the operations manager.
The sweep (groups/tasks.py, hourly in daytime) records one FamilyReminder per child and meeting
before anything is mailed, then requests background jobs (groups/jobs.py) that mail them in
batches; each reminder is claimed before its mail, so a rerun or an overlapping sweep never mails
twice and a broker outage only delays the mail. Whether to send is decided again at sending time:
a family that changed its mind, a child who left the group or a cancelled group gets nothing.

The mail goes to one family at a time and names the group, the day, the time and the place:
nothing about the child, and nothing about any other child.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from partnership.jobs import job_request_batches
from referrals.models import ReferralStatus

from .models import STATUSES_WITH_MEETINGS_AHEAD, FamilyReminder, Placement
from .rules import group_action_refusal
from .selectors import meetings_starting_on

FAMILY_REMINDER_MAILS_JOB = "groups.family_reminder_mails"


def family_email(placement: Placement) -> str:
    child = getattr(placement.referral, "child", None)
    return child.foster_email if child is not None else ""


# --- Opting in and out ------------------------------------------------------------------------


@transaction.atomic
def placement_family_reminders_set(*, placement: Placement, enabled: bool, by) -> Placement:
    """Record the foster family's yes (or no) to a reminder the day before each meeting."""
    placement = (
        Placement.objects.select_for_update(of=("self",))
        .select_related("referral__child", "group__parent")
        .get(pk=placement.pk)
    )
    if placement.removed_at is not None:
        raise ValidationError(_("Barnet har inte längre plats i gruppen."), code="removed")
    # The same rule as the group page's link (groups.rules.GROUP_ACTIONS): only while meetings lie ahead.
    if group_action_refusal(placement.group.parent or placement.group, "family_reminders", is_split=False):
        raise ValidationError({"enabled": _("Gruppen har inga fler träffar.")}, code="no_meetings_ahead")
    if enabled and not family_email(placement):
        raise ValidationError(
            {
                "enabled": _(
                    "Familjehemmet har ingen e-postadress i anmälan. Be handläggaren i stadsdelen att lägga till den."
                )
            },
            code="no_email",
        )
    if enabled == (placement.family_reminders_since is not None):
        return placement
    placement.family_reminders_since = timezone.now() if enabled else None
    placement.family_reminders_set_by = by
    placement.save(update_fields=["family_reminders_since", "family_reminders_set_by", "updated_at"])
    return placement


# --- The sweep --------------------------------------------------------------------------------


def _receiving(placements):
    """Placements whose family should get the mail: current, opted in, child placed, not purged."""
    return placements.filter(
        removed_at__isnull=True,
        family_reminders_since__isnull=False,
        referral__status=ReferralStatus.PLACED,
        referral__purged_at__isnull=True,
    )


@transaction.atomic
def family_reminders_record(*, today: datetime.date) -> int:
    """Record a reminder for every opted-in family with a meeting tomorrow; returns how many were new.
    A support weekend's meetings belong to the weekend, its children may sit in its subgroups."""
    meetings = list(meetings_starting_on(today + datetime.timedelta(days=1)))
    group_ids = {meeting.group_id for meeting in meetings}
    receiving = _receiving(Placement.objects.filter(Q(group_id__in=group_ids) | Q(group__parent_id__in=group_ids)))
    placements_by_group: dict[int, list[int]] = {}
    for placement_id, group_id, parent_id in receiving.values_list("pk", "group_id", "group__parent_id"):
        placements_by_group.setdefault(parent_id or group_id, []).append(placement_id)
    existing = set(FamilyReminder.objects.filter(meeting__in=meetings).values_list("placement_id", "meeting_id"))
    new = [
        FamilyReminder(placement_id=placement_id, meeting=meeting)
        for meeting in meetings
        for placement_id in placements_by_group.get(meeting.group_id, [])
        if (placement_id, meeting.pk) not in existing
    ]
    # The unique constraint is the guarantee against a concurrent sweep; the lookup keeps the count honest.
    FamilyReminder.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def family_reminders_unsent():
    """What the sweep has mailed: recorded, not yet handled, meeting still ahead."""
    return (
        FamilyReminder.objects.filter(outcome=FamilyReminder.Outcome.PENDING, meeting__starts_at__gt=timezone.now())
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def family_reminder_mails_request():
    """One background job per batch of unsent reminders (those an active job holds left out)."""
    return job_request_batches(kind=FAMILY_REMINDER_MAILS_JOB, ids=family_reminders_unsent())


def family_reminders_expire() -> int:
    """Reminders the broker kept until the meeting had begun are not sent late."""
    return FamilyReminder.objects.filter(
        outcome=FamilyReminder.Outcome.PENDING, meeting__starts_at__lte=timezone.now()
    ).update(outcome=FamilyReminder.Outcome.SKIPPED, handled_at=timezone.now())


def _still_wanted(reminder: FamilyReminder) -> bool:
    placements = _receiving(Placement.objects.filter(pk=reminder.placement_id))
    return (
        placements.exists()
        and reminder.meeting.starts_at > timezone.now()
        and reminder.meeting.group.status in STATUSES_WITH_MEETINGS_AHEAD
    )


def family_reminder_message(reminder: FamilyReminder, *, connection=None) -> EmailMultiAlternatives:
    meeting = reminder.meeting
    group = meeting.group
    context = {
        "group": group,
        "starts_at": timezone.localtime(meeting.starts_at),
        "ends_at": timezone.localtime(meeting.ends_at),
        "premises": group.premises,
        "leaders": [leader.get_full_name() or leader.get_username() for leader in group.leaders.all()],
        "provider": group.agreement.provider,
    }
    # Foster families in Stockholm get Swedish, whatever language the worker runs in.
    with translation.override("sv"):
        message = EmailMultiAlternatives(
            subject=render_to_string("emails/family_reminder-subject.txt", context).strip(),
            body=render_to_string("emails/family_reminder-body.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[family_email(reminder.placement)],  # one family per mail, never a list
            connection=connection,
        )
        message.attach_alternative(render_to_string("emails/family_reminder-body.html", context), "text/html")
    return message


def family_reminder_send(*, reminder_id: int, connection=None) -> bool:
    """Mail one family once. The claim and the mail share a transaction: a failed send rolls the
    claim back and the next run tries again."""
    with transaction.atomic():
        reminder = (
            FamilyReminder.objects.select_for_update(of=("self",))
            .select_related(
                "placement__referral__child", "meeting__group__premises", "meeting__group__agreement__provider"
            )
            .filter(pk=reminder_id, outcome=FamilyReminder.Outcome.PENDING)
            .first()
        )
        if reminder is None:
            return False
        reminder.handled_at = timezone.now()
        if not _still_wanted(reminder) or not family_email(reminder.placement):
            reminder.outcome = FamilyReminder.Outcome.SKIPPED
            reminder.save(update_fields=["outcome", "handled_at"])
            return False
        reminder.outcome = FamilyReminder.Outcome.SENT
        reminder.save(update_fields=["outcome", "handled_at"])
        family_reminder_message(reminder, connection=connection).send()
        return True
