"""Reminders about support groups (see partnership/reminders.py): a missing pre-group visit and
tomorrow's meeting for the group's leaders; a district not yet informed of a placed child.

Summaries name the group, a pseudonym and dates only, never a child's name or identity number.
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnership.models import Role
from partnership.reminders import (
    DueReminder,
    ReminderSubject,
    link_by_public_id,
    members_by_district,
    members_by_organisation,
    reminder_kind,
)
from referrals.models import Referral

from .models import GroupStatus, Placement, SupportGroup, VisitKind
from .selectors import meetings_starting_on

# A week before the first meeting every child should have had the visit (IOP 3.1.2).
PRE_GROUP_VISIT_NOTICE_DAYS = 7


def leader_ids(group: SupportGroup) -> list[int]:
    return [leader.pk for leader in group.leaders.all()]


def group_link(group: SupportGroup) -> str:
    return reverse("groups:detail", kwargs={"public_id": group.public_id})


def leader_ids_by_group(group_ids: Iterable[int]) -> dict[int, list[int]]:
    """The leaders of these groups, as user ids per group: one query for a whole sweep."""
    by_group: dict[int, list[int]] = {}
    for group_id, user_id in SupportGroup.leaders.through.objects.filter(supportgroup_id__in=group_ids).values_list(
        "supportgroup_id", "user_id"
    ):
        by_group.setdefault(group_id, []).append(user_id)
    return by_group


@reminder_kind("pre_group_visit_missing", gettext_lazy("Besök före gruppstart saknas"))
def pre_group_visit_missing(today: datetime.date) -> Iterable[DueReminder]:
    """A child placed in a group that starts within a week has no done pre-group visit (a visit
    with its outcome recorded, or a written exception) → the group's leaders."""
    horizon = today + datetime.timedelta(days=PRE_GROUP_VISIT_NOTICE_DAYS)
    # Values, not model instances: every child placed in the week's groups is read each hour.
    placements = list(
        Placement.objects.filter(
            removed_at__isnull=True,
            group__status__in=[GroupStatus.PLANNED, GroupStatus.OPEN],
            group__starts_on__gte=today,
            group__starts_on__lte=horizon,
        ).values_list(
            "pk",
            "referral__pseudonym",
            "group_id",
            "group__name",
            "group__public_id",
            "group__starts_on",
            "pre_group_visit__kind",
            "pre_group_visit__outcome",
        )
    )
    leaders = leader_ids_by_group({row[2] for row in placements})
    link_to = link_by_public_id("groups:detail")
    text = _("Besök före gruppstart saknas för %(p)s i %(group)s; gruppen börjar %(day)s.")
    for pk, pseudonym, group_id, name, public_id, starts_on, visit_kind, outcome in placements:
        # PreGroupVisit.is_done, read from the visit's values (none: no visit yet).
        if visit_kind is not None and (visit_kind == VisitKind.EXCEPTION or bool(outcome.strip())):
            continue
        summary = text % {"p": pseudonym, "group": name, "day": f"{starts_on:%Y-%m-%d}"}
        subject = ReminderSubject(Placement, pk)
        for user_id in leaders.get(group_id, []):
            yield DueReminder(user_id, subject, starts_on, summary, link_to(public_id))  # type: ignore[arg-type]


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
        for user_id in leader_ids(group):
            yield DueReminder(user_id, meeting, tomorrow, summary, group_link(group))


@reminder_kind("district_not_informed", gettext_lazy("Stadsdelen inte informerad"))
def district_not_informed(today: datetime.date) -> Iterable[DueReminder]:
    """A child placed in a group starting within the notice period whose district has not
    acknowledged the registration (IOP 3.1.2) → Bris' operations managers and the district's
    social workers."""
    horizon = today + datetime.timedelta(days=settings.DISTRICT_NOTICE_DAYS)
    placements = Placement.objects.filter(
        removed_at__isnull=True,
        referral__district_acknowledged_at__isnull=True,
        referral__purged_at__isnull=True,
        group__starts_on__gte=today,
        group__starts_on__lte=horizon,
    ).values_list(
        "referral_id",
        "referral__pseudonym",
        "referral__public_id",
        "referral__district_id",
        "referral__district__name",
        "referral__agreement__provider_id",
        "group__starts_on",
    )
    link_to = link_by_public_id("referrals:detail")
    managers = members_by_organisation(Role.OPERATIONS_MANAGER)
    social_workers = members_by_district(Role.SOCIAL_WORKER)
    text = _("%(district)s har inte bekräftat att de känner till anmälan för %(p)s; gruppen börjar %(day)s.")
    for referral_id, pseudonym, public_id, district_id, district_name, provider_id, starts_on in placements:
        summary = text % {"district": district_name, "p": pseudonym, "day": f"{starts_on:%Y-%m-%d}"}
        link = link_to(public_id)
        subject = ReminderSubject(Referral, referral_id)
        for user_id in managers(provider_id) + social_workers.get(district_id, []):
            yield DueReminder(user_id, subject, starts_on, summary, link)  # type: ignore[arg-type]
