"""Reminders of follow-up (see partnership/reminders.py): evaluations due after a group's last
meeting and at follow-up (the group's leaders), a term without a cooperation meeting and breakfast
meetings behind plan (the coordinator).

Summaries name groups, agreements and dates only, never a child.
"""

import calendar
import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db import models
from django.db.models import Count, Exists, OuterRef, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groups.models import GroupStatus, Placement, SupportGroup
from groups.reminders import group_link, leader_ids
from partnership.models import Role
from partnership.reminders import DueReminder, active_agreements, members_by_organisation, reminder_kind

from .cooperation import term_bounds, term_of
from .information import YearStatus, expected_by
from .models import CooperationMeeting, EvaluationAnswerSet, EvaluationMoment, InformationMeeting, Term

# The follow-up evaluation ("några månader efter") is due this many months after the last meeting;
# the reminder stays open this many days unless the group's follow-up answers come in first.
EVALUATION_FOLLOW_UP_MONTHS = 3
EVALUATION_FOLLOW_UP_WINDOW_DAYS = 60


# A group was carried out once it started; a subgroup of a split weekend has its weekend's status.
CARRIED_OUT_STATUSES = [GroupStatus.RUNNING, GroupStatus.CLOSED]


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _groups_with_children(*, ended_before: datetime.date, ended_after: datetime.date | None = None):
    """Groups that hold children (not a split weekend's parent), last meeting before the date.

    Only groups that were carried out (started: running or closed); not being cancelled is not
    enough, as a group left planned or open never met and has nothing to evaluate."""
    groups = SupportGroup.objects.filter(ends_on__lt=ended_before, status__in=CARRIED_OUT_STATUSES)
    if ended_after is not None:
        groups = groups.filter(ends_on__gte=ended_after)
    return groups.exclude(subgroups__isnull=False).prefetch_related(Prefetch("leaders"))


@reminder_kind("evaluation_after_due", gettext_lazy("Utvärdering efter sista träffen"))
def evaluation_after_due(today: datetime.date) -> Iterable[DueReminder]:
    """The group's last meeting is past and children placed in it (data not yet purged) have no
    answer set for the moment "after" → the group's leaders. Closes once every child has one."""

    # Counted in the database: every group that ever met has ended, and reading them all with their
    # placements each hour cost seconds at national scale, where a few hold children still missing.
    answered = EvaluationAnswerSet.objects.filter(
        group_id=OuterRef("group_id"), referral_id=OuterRef("referral_id"), moment=EvaluationMoment.AFTER
    )
    split = SupportGroup.objects.filter(parent_id=OuterRef("group_id"))
    missing = dict(
        Placement.objects.filter(
            removed_at__isnull=True,
            referral__purged_at__isnull=True,
            group__ends_on__lt=today,
            group__status__in=CARRIED_OUT_STATUSES,
        )
        .exclude(Exists(split))
        .exclude(Exists(answered))
        .order_by()
        .values("group_id")
        .annotate(children=Count("referral_id", distinct=True))
        .values_list("group_id", "children")
    )
    for group in SupportGroup.objects.filter(pk__in=missing).prefetch_related(Prefetch("leaders")):
        summary = _("Utvärdering efter sista träffen saknas för %(n)s barn i %(group)s (sista träffen %(day)s).") % {
            "n": missing[group.pk],
            "group": group.name,
            "day": f"{group.ends_on:%Y-%m-%d}",
        }
        for user_id in leader_ids(group):
            yield DueReminder(user_id, group, group.ends_on, summary, group_link(group))  # type: ignore[arg-type]


@reminder_kind("evaluation_follow_up_due", gettext_lazy("Uppföljande utvärdering"))
def evaluation_follow_up_due(today: datetime.date) -> Iterable[DueReminder]:
    """EVALUATION_FOLLOW_UP_MONTHS after the last meeting the follow-up evaluation is due; while
    the group has fewer follow-up respondents than children, for EVALUATION_FOLLOW_UP_WINDOW_DAYS
    → the group's leaders. Counted by anonymous respondent, so it works after purging too."""

    window_start = today - datetime.timedelta(days=EVALUATION_FOLLOW_UP_WINDOW_DAYS)
    candidates = _groups_with_children(
        ended_before=add_months(today, -EVALUATION_FOLLOW_UP_MONTHS) + datetime.timedelta(days=1),
        ended_after=add_months(window_start, -EVALUATION_FOLLOW_UP_MONTHS),
    )
    groups = {group.pk: group for group in candidates}
    children: dict[int, int] = defaultdict(int)
    for group_id in Placement.objects.filter(group_id__in=groups, removed_at__isnull=True).values_list(
        "group_id", flat=True
    ):
        children[group_id] += 1
    answered: dict[int, set] = defaultdict(set)
    for group_id, key in EvaluationAnswerSet.objects.filter(
        group_id__in=children, moment=EvaluationMoment.FOLLOW_UP
    ).values_list("group_id", "respondent_key"):
        answered[group_id].add(key)
    for group_id, count in children.items():
        if len(answered[group_id]) >= count:
            continue
        group = groups[group_id]
        due_on = add_months(group.ends_on, EVALUATION_FOLLOW_UP_MONTHS)
        summary = _("Uppföljande utvärdering för %(group)s är aktuell från %(day)s (sista träffen %(last)s).") % {
            "group": group.name,
            "day": f"{due_on:%Y-%m-%d}",
            "last": f"{group.ends_on:%Y-%m-%d}",
        }
        for user_id in leader_ids(group):
            yield DueReminder(user_id, group, due_on, summary, group_link(group))


@reminder_kind("cooperation_term_without_meeting", gettext_lazy("Termin utan samverkansmöte"))
def cooperation_term_without_meeting(today: datetime.date) -> Iterable[DueReminder]:
    """The current term of a running agreement has no cooperation meeting held or planned (IOP 3.2:
    at least one a term) → the coordinators of the public party. One reminder per term; it closes
    once a meeting is planned or held."""
    year, term = term_of(today)
    start, stop = term_bounds(year, term)
    agreements = active_agreements(today)
    with_meeting = set(
        CooperationMeeting.objects.filter(agreement__in=agreements, meeting_date__gte=start, meeting_date__lte=stop)
        .filter(models.Q(held_at__isnull=False) | models.Q(meeting_date__gte=today))
        .values_list("agreement_id", flat=True)
    )
    coordinators = members_by_organisation(Role.COORDINATOR)
    for agreement in agreements:
        if agreement.pk in with_meeting:
            continue
        summary = _("Inget samverkansmöte är hållet eller planerat under %(term)s för ”%(name)s”.") % {
            "term": (_("vårterminen %(year)s") if term == Term.SPRING else _("höstterminen %(year)s")) % {"year": year},
            "name": agreement.name,
        }
        for user_id in coordinators(agreement.public_party_id):
            yield DueReminder(user_id, agreement, stop, summary, period=f"{year}-{term}")


@reminder_kind("information_meetings_behind", gettext_lazy("Frukostmöten efter plan"))
def information_meetings_behind(today: datetime.date) -> Iterable[DueReminder]:
    """This year's breakfast information meetings of a running agreement are behind (fewer held
    than the year's elapsed thirds ask for, or held and planned cannot reach three; the rule of
    followup/information.py) → the coordinators. One reminder per year; it closes when caught up."""
    agreements = active_agreements(today)
    counts: dict[int, list[int]] = {agreement.pk: [0, 0] for agreement in agreements}
    for agreement_id, starts_at, held_at in InformationMeeting.objects.filter(
        agreement__in=agreements, starts_at__year=today.year
    ).values_list("agreement_id", "starts_at", "held_at"):
        if held_at:
            counts[agreement_id][0] += 1
        elif timezone.localdate(starts_at) >= today:
            counts[agreement_id][1] += 1
    coordinators = members_by_organisation(Role.COORDINATOR)
    for agreement in agreements:
        held, planned = counts[agreement.pk]
        status = YearStatus(year=today.year, held=held, planned=planned, expected_by_now=expected_by(today, today.year))
        if not status.is_behind:
            continue
        summary = _(
            "Frukostmötena %(year)s för ”%(name)s” ligger efter: %(held)s hållna och %(planned)s planerade av tre."
        ) % {"year": today.year, "name": agreement.name, "held": held, "planned": planned}
        for user_id in coordinators(agreement.public_party_id):
            yield DueReminder(user_id, agreement, datetime.date(today.year, 12, 31), summary, period=str(today.year))
