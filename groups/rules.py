"""Who may do what with support groups.

- The operations manager (verksamhetsansvarig) plans groups, places children, keeps the waiting
  list and starts or cancels groups.
- Group leaders see their organisation's groups; the leaders of a group move its meetings,
  record the pre-group visits and attendance, and close it.
- The IOP coordinator sees the annual targets as counts only, never a group's children.
"""

import rules

from partnership.rules import is_coordinator, is_group_leader, is_operations_manager

is_provider_staff = is_group_leader | is_operations_manager


@rules.predicate
def is_groups_provider(user, group):
    return group.agreement.provider_id == user.membership.organisation_id


@rules.predicate
def leads_group(user, group):
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
