"""The city's common follow-up schedule (issue 16; the city's proposal: "follow-up of individual
children"): every provider's children are followed up at the same points after their group's last
meeting, FOLLOW_UP_SCHEDULE_MONTHS (default 3 and 12 months), through the reminder machinery
(partnership/reminders.py).

At each point, while a group has fewer follow-up answers (moment "follow-up", answered from a
month before the point) than children, its leaders get a reminder, open for
EVALUATION_FOLLOW_UP_WINDOW_DAYS. Children are those placed through a referral and those a
provider outside the IOP took in. The IOP's 3-month follow-up already has its own reminder
(followup.evaluation_follow_up_due, counting placed children): a point equal to
EVALUATION_FOLLOW_UP_MONTHS is left to it for a group with placed children, so no one is reminded
twice. Summaries name the group and dates only.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import cast

from django.conf import settings
from django.db.models import Count, Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coordination.models import Participant
from followup.models import EvaluationAnswerSet, EvaluationMoment
from followup.reminders import EVALUATION_FOLLOW_UP_MONTHS, EVALUATION_FOLLOW_UP_WINDOW_DAYS, add_months
from groups.models import Audience, GroupStatus, Placement, SupportGroup
from groups.reminders import group_link, leader_ids
from partnership.reminders import DueReminder, reminder_kind

# Answers that came in up to this long before the point count for it (families answer early).
ANSWERED_FROM_DAYS_BEFORE = 30


def _count_by_group(queryset) -> dict[int, int]:
    return dict(queryset.order_by().values_list("group_id").annotate(n=Count("pk")))


@reminder_kind("follow_up_schedule_due", gettext_lazy("Uppföljning enligt stadens schema"))
def follow_up_schedule_due(today: datetime.date) -> Iterable[DueReminder]:
    for months in settings.FOLLOW_UP_SCHEDULE_MONTHS:
        ended_on_or_before = add_months(today, -months)
        ended_after = add_months(today - datetime.timedelta(days=EVALUATION_FOLLOW_UP_WINDOW_DAYS), -months)
        groups = {
            group.pk: group
            for group in SupportGroup.objects.filter(ends_on__lte=ended_on_or_before, ends_on__gte=ended_after)
            .exclude(status=GroupStatus.CANCELLED)
            .exclude(audience=Audience.PARENTS)
            .exclude(subgroups__isnull=False)
            .prefetch_related(Prefetch("leaders"))
        }
        if not groups:
            continue
        # The day of each group's point; every group here has a last meeting (the filter above).
        due_on_of = {pk: add_months(cast(datetime.date, group.ends_on), months) for pk, group in groups.items()}
        placed = _count_by_group(Placement.objects.filter(group_id__in=groups, removed_at__isnull=True))
        taken_in = _count_by_group(Participant.objects.filter(group_id__in=groups, removed_at__isnull=True))
        answered: dict[int, set] = defaultdict(set)
        for group_id, key, answered_on in EvaluationAnswerSet.objects.filter(
            group_id__in=groups, moment=EvaluationMoment.FOLLOW_UP
        ).values_list("group_id", "respondent_key", "answered_on"):
            if answered_on >= due_on_of[group_id] - datetime.timedelta(days=ANSWERED_FROM_DAYS_BEFORE):
                answered[group_id].add(key)
        for group_id, group in groups.items():
            if months == EVALUATION_FOLLOW_UP_MONTHS and placed.get(group_id):
                continue  # followup's own reminder covers it
            children = placed.get(group_id, 0) + taken_in.get(group_id, 0)
            if not children or len(answered[group_id]) >= children:
                continue
            due_on = due_on_of[group_id]
            summary = _(
                "Uppföljning %(months)s månader efter gruppen enligt stadens schema: %(group)s, från %(day)s "
                "(sista träffen %(last)s)."
            ) % {
                "months": months,
                "group": group.name,
                "day": f"{due_on:%Y-%m-%d}",
                "last": f"{group.ends_on:%Y-%m-%d}",
            }
            for user_id in leader_ids(group):
                yield DueReminder(user_id, group, due_on, summary, group_link(group), period=f"{months}m")
