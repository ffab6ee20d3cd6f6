"""Reminders about support groups for their leaders (see partnership/reminders.py): a missing
pre-group visit, tomorrow's meeting, evaluations due after the last meeting and at follow-up.

Summaries name the group, a pseudonym and dates only, never a child's name or identity number.
"""

import calendar
import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnership.reminders import DueReminder, reminder_kind

from .models import GroupStatus, Placement, SupportGroup
from .selectors import meetings_starting_on

# A week before the first meeting every child should have had the visit (IOP 3.1.2).
PRE_GROUP_VISIT_NOTICE_DAYS = 7
# The follow-up evaluation ("några månader efter") is due this many months after the last meeting;
# the reminder stays open this many days unless the group's follow-up answers come in first.
EVALUATION_FOLLOW_UP_MONTHS = 3
EVALUATION_FOLLOW_UP_WINDOW_DAYS = 60


def _leader_ids(group: SupportGroup) -> list[int]:
    return [leader.pk for leader in group.leaders.all()]


def _link(group: SupportGroup) -> str:
    return reverse("groups:detail", kwargs={"public_id": group.public_id})


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@reminder_kind("pre_group_visit_missing", gettext_lazy("Besök före gruppstart saknas"))
def pre_group_visit_missing(today: datetime.date) -> Iterable[DueReminder]:
    """A child placed in a group that starts within a week has no done pre-group visit (a visit
    with its outcome recorded, or a written exception) → the group's leaders."""
    horizon = today + datetime.timedelta(days=PRE_GROUP_VISIT_NOTICE_DAYS)
    placements = (
        Placement.objects.filter(
            removed_at__isnull=True,
            group__status__in=[GroupStatus.PLANNED, GroupStatus.OPEN],
            group__starts_on__gte=today,
            group__starts_on__lte=horizon,
        )
        .select_related("referral", "group", "pre_group_visit")
        .prefetch_related(Prefetch("group__leaders"))
    )
    for placement in placements:
        visit = getattr(placement, "pre_group_visit", None)
        if visit is not None and visit.is_done:
            continue
        group = placement.group
        summary = _("Besök före gruppstart saknas för %(p)s i %(group)s; gruppen börjar %(day)s.") % {
            "p": placement.referral.pseudonym,
            "group": group.name,
            "day": f"{group.starts_on:%Y-%m-%d}",
        }
        for user_id in _leader_ids(group):
            yield DueReminder(user_id, placement, group.starts_on, summary, _link(group))


@reminder_kind("meeting_tomorrow", gettext_lazy("Träff i morgon"))
def meeting_tomorrow(today: datetime.date) -> Iterable[DueReminder]:
    """A meeting of a planned, open or running group starts tomorrow → the group's leaders."""
    tomorrow = today + datetime.timedelta(days=1)
    meetings = (
        meetings_starting_on(tomorrow).select_related("group__premises").prefetch_related(Prefetch("group__leaders"))
    )
    for meeting in meetings:
        group = meeting.group
        starts_at = timezone.localtime(meeting.starts_at)
        summary = _("Träff i %(group)s i morgon %(day)s kl. %(time)s, %(place)s.") % {
            "group": group.name,
            "day": f"{starts_at:%Y-%m-%d}",
            "time": f"{starts_at:%H:%M}",
            "place": group.premises.name if group.premises else _("lokal ej angiven"),
        }
        for user_id in _leader_ids(group):
            yield DueReminder(user_id, meeting, tomorrow, summary, _link(group))


def _groups_with_children(*, ended_before: datetime.date, ended_after: datetime.date | None = None):
    """Groups that hold children (not a split weekend's parent), last meeting before the date."""
    groups = SupportGroup.objects.filter(ends_on__lt=ended_before).exclude(status=GroupStatus.CANCELLED)
    if ended_after is not None:
        groups = groups.filter(ends_on__gte=ended_after)
    return groups.exclude(subgroups__isnull=False).prefetch_related(Prefetch("leaders"))


@reminder_kind("evaluation_after_due", gettext_lazy("Utvärdering efter sista träffen"))
def evaluation_after_due(today: datetime.date) -> Iterable[DueReminder]:
    """The group's last meeting is past and children placed in it (data not yet purged) have no
    answer set for the moment "after" → the group's leaders. Closes once every child has one."""
    from partnership.models import EvaluationAnswerSet, EvaluationMoment

    groups = {group.pk: group for group in _groups_with_children(ended_before=today)}
    children: dict[int, set[int]] = defaultdict(set)
    for group_id, referral_id in Placement.objects.filter(
        group_id__in=groups, removed_at__isnull=True, referral__purged_at__isnull=True
    ).values_list("group_id", "referral_id"):
        children[group_id].add(referral_id)
    for group_id, referral_id in EvaluationAnswerSet.objects.filter(
        group_id__in=children, moment=EvaluationMoment.AFTER, referral__isnull=False
    ).values_list("group_id", "referral_id"):
        children[group_id].discard(referral_id)
    for group_id, missing in children.items():
        if not missing:
            continue
        group = groups[group_id]
        summary = _("Utvärdering efter sista träffen saknas för %(n)s barn i %(group)s (sista träffen %(day)s).") % {
            "n": len(missing),
            "group": group.name,
            "day": f"{group.ends_on:%Y-%m-%d}",
        }
        for user_id in _leader_ids(group):
            yield DueReminder(user_id, group, group.ends_on, summary, _link(group))


@reminder_kind("evaluation_follow_up_due", gettext_lazy("Uppföljande utvärdering"))
def evaluation_follow_up_due(today: datetime.date) -> Iterable[DueReminder]:
    """EVALUATION_FOLLOW_UP_MONTHS after the last meeting the follow-up evaluation is due; while
    the group has fewer follow-up respondents than children, for EVALUATION_FOLLOW_UP_WINDOW_DAYS
    → the group's leaders. Counted by anonymous respondent, so it works after purging too."""
    from partnership.models import EvaluationAnswerSet, EvaluationMoment

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
        for user_id in _leader_ids(group):
            yield DueReminder(user_id, group, due_on, summary, _link(group))
