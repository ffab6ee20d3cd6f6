"""Who may do what with support groups.

- The operations manager (verksamhetsansvarig) plans groups, places children, keeps the waiting
  list and starts or cancels groups.
- Group leaders see their organisation's groups; the leaders of a group move its meetings,
  record the pre-group visits and attendance, and close it.
- The IOP coordinator sees the annual targets as counts only, never a group's children.
"""

import datetime
from typing import Any

import rules
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from partnership.rules import is_coordinator, is_group_leader, is_operations_manager

from .models import GroupFormat, GroupStatus, SupportGroup, VisitKind

is_provider_staff = is_group_leader | is_operations_manager


@rules.predicate
def is_groups_provider(user: User, group: SupportGroup) -> bool:
    return group.agreement.provider_id == user.membership.organisation_id


@rules.predicate
def leads_group(user: User, group: SupportGroup) -> bool:
    top = group.parent or group
    return top.leaders.filter(pk=user.pk).exists()


rules.add_perm("groups.list_groups", is_provider_staff)
rules.add_perm("groups.view_group", is_provider_staff & is_groups_provider)
rules.add_perm("groups.add_group", is_operations_manager)
rules.add_perm("groups.plan_group", is_operations_manager & is_groups_provider)
rules.add_perm("groups.lead_group", is_groups_provider & (is_operations_manager | (is_group_leader & leads_group)))
rules.add_perm("groups.view_waiting_list", is_provider_staff)
rules.add_perm("groups.reorder_waiting_list", is_operations_manager)
# Placing a child in a group is the operations manager's (the object check is groups.plan_group).
rules.add_perm("groups.place_children", is_operations_manager)
rules.add_perm("groups.view_calendar", is_provider_staff)
# Counts only: the coordinator never sees a child (IOP 3.2, follow-up on anonymised figures).
rules.add_perm("groups.view_targets", is_coordinator | is_operations_manager)


# --- What a group's state allows -------------------------------------------------------------
# A group is planned, opened for placement, started with 5–8 children who have each had a
# pre-group visit, and closed after its last meeting; it may be cancelled until it starts
# (IOP 3.1.2). Who may act is the permissions' above: `plan` actions need groups.plan_group,
# `lead` actions groups.lead_group. The page shows an action only where group_action_refusal is
# None (groups.selectors.group_actions), and each service refuses the same way.

G = GroupStatus

# action: (the permission, the statuses that allow it, only on the whole group, not a subgroup)
GROUP_ACTIONS: dict[str, tuple[str, frozenset[str], bool]] = {
    "open": ("groups.plan_group", frozenset({G.PLANNED}), True),
    "place": ("groups.plan_group", frozenset({G.OPEN}), False),
    "split": ("groups.plan_group", frozenset({G.OPEN}), True),
    "start": ("groups.plan_group", frozenset({G.OPEN}), True),
    "cancel": ("groups.plan_group", frozenset({G.PLANNED, G.OPEN}), True),
    "remove_child": ("groups.plan_group", frozenset({G.PLANNED, G.OPEN}), False),
    "record_visit": ("groups.lead_group", frozenset({G.PLANNED, G.OPEN}), False),
    "family_reminders": ("groups.lead_group", frozenset({G.PLANNED, G.OPEN, G.RUNNING}), False),
    "move_meeting": ("groups.lead_group", frozenset({G.PLANNED, G.OPEN, G.RUNNING}), True),
    "take_attendance": ("groups.lead_group", frozenset({G.RUNNING}), False),
    "attendance_pdf": ("groups.lead_group", frozenset({G.RUNNING, G.CLOSED}), False),
    "close": ("groups.lead_group", frozenset({G.RUNNING}), True),
}


def group_action_refusal(group: SupportGroup, action: str, *, is_split: bool) -> str | None:
    """Why the group's state does not allow the action now, in words for the user, or None.
    `is_split`: a support weekend divided into subgroups (its children are placed in those)."""
    _permission, statuses, whole_group_only = GROUP_ACTIONS[action]
    status = group.status  # a subgroup's status follows its weekend's (services._transition)
    if whole_group_only and group.parent_id is not None:
        return _("En undergrupp följer stödhelgen; gör det på hela stödhelgen.")
    if action == "split" and (group.format != GroupFormat.WEEKEND or is_split):
        return _("Bara en stödhelg som inte redan är delad kan delas i undergrupper.")
    if action == "place" and is_split:
        return _("Stödhelgen är delad i undergrupper; placera barnet i en av dem.")
    if status not in statuses:
        return _("Det går inte när gruppens status är ”%(status)s”.") % {"status": G(status).label}
    return None


def visit_fields_checked(
    *,
    kind: str,
    visit_date: datetime.date | None,
    leader: User | None,
    outcome: str,
    exception_reason: str,
    today: datetime.date,
) -> dict[str, Any]:
    """The child's one contact before the group (IOP 3.1.2; a provider outside the IOP records
    its contacts the same way): a written exception needs its reason and keeps nothing else; a
    visit needs a date and a leader, and its outcome only once it has taken place. The fields to
    store, or a ValidationError beside the field."""
    if kind == VisitKind.EXCEPTION:
        if not exception_reason.strip():
            raise ValidationError(
                {"exception_reason": _("Skriv varför barnet börjar utan besök före gruppstart.")}, code="reason"
            )
        return {
            "kind": kind,
            "visit_date": None,
            "leader": None,
            "outcome": "",
            "exception_reason": exception_reason.strip(),
        }
    if visit_date is None:
        raise ValidationError({"visit_date": _("Ange datum för besöket.")}, code="date")
    if leader is None:
        raise ValidationError({"leader": _("Välj vilken gruppledare som gör besöket.")}, code="leader")
    if outcome.strip() and visit_date > today:
        raise ValidationError({"outcome": _("Utfallet kan registreras först när besöket har ägt rum.")}, code="future")
    return {
        "kind": kind,
        "visit_date": visit_date,
        "leader": leader,
        "outcome": outcome.strip(),
        "exception_reason": "",
    }
