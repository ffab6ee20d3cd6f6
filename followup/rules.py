"""Who may see and keep the city's reference groups (issue 16). The cooperation group's own rules
stay in partnership/rules.py (view_cooperation, manage_cooperation).

- The coordinator keeps the reference groups per area: creates them, adds members, plans
  meetings, writes agendas, minutes and decisions.
- A member with an account (a district's social worker, a provider's staff) reads their own
  reference group's meetings and minutes while they are a member: once the membership has ended
  (CooperationGroupMember.ended_on) they no longer do, though the group's records still name them.
- The coordinator, who adds the members, changes their details and ends their memberships.

Information meetings (IOP 3.1.2; city-wide since the coordination, issue 15):
- A provider's operations manager plans and runs its provider's own meetings, under one of its
  agreements (Bris' breakfast meetings under the IOP) or outside them, and sees no other's.
- The coordinator holds meetings for the whole city and sees and helps with every provider's.
"""

import rules

from partnership.rules import is_coordinator, is_operations_manager


@rules.predicate
def holds_information_meeting(user, meeting):
    """The user's provider holds the meeting: under one of its agreements, or itself."""
    organisation_id = user.membership.organisation_id
    if meeting.agreement_id is not None:
        return meeting.agreement.provider_id == organisation_id
    return meeting.organiser_id == organisation_id


@rules.predicate
def has_reference_group(user):
    return (
        user.is_authenticated
        and user.cooperationgroupmember_set.current().filter(reference_group__isnull=False).exists()
    )


@rules.predicate
def is_reference_group_member(user, reference_group):
    return reference_group.members.current().filter(user=user).exists()


rules.add_perm("followup.list_reference_groups", is_coordinator | has_reference_group)
rules.add_perm("followup.view_reference_group", is_coordinator | is_reference_group_member)
rules.add_perm("followup.manage_reference_group", is_coordinator)
# Changing a member's details and ending a membership: whoever adds the members.
rules.add_perm("followup.change_reference_member", is_coordinator)
# Any forum's meeting pages (the cooperation group's or a reference group's): checked before the
# meeting is looked up, then the forum's own permission on the meeting found.
rules.add_perm("followup.view_meetings", is_coordinator | is_operations_manager | has_reference_group)
rules.add_perm("followup.manage_meetings", is_coordinator)

# Information meetings: the list and planning by role; a meeting itself on the object (the views
# look it up through followup.information.get_information_meeting_for first: 404 outside scope).
rules.add_perm("followup.list_information_meetings", is_coordinator | is_operations_manager)
rules.add_perm("followup.plan_information_meeting", is_coordinator | is_operations_manager)
rules.add_perm(
    "followup.view_information_meeting", is_coordinator | (is_operations_manager & holds_information_meeting)
)
rules.add_perm(
    "followup.manage_information_meeting", is_coordinator | (is_operations_manager & holds_information_meeting)
)
