"""Who may do what in the coordination of group support (issue 15).

- The public page, its feeds and the interest form need no login and hold no personal data.
- A provider's staff (group leaders, operations manager) see the public interests routed to their
  own provider and take them up; the provider's own children and parents are its own: another
  provider gets a 404 (the selectors scope every lookup to the user's provider).
- The operations manager decides what of the provider's groups the public page shows.
- The operations manager and the group's leaders record which participants came to a meeting, as
  for an IOP placement (groups.rules: groups.lead_group).
- A district's social workers see the interests about children of their district whose family
  agreed that social services may be told.
- The coordinator sees the city in aggregate: counts per provider, never an interest's contents.
- The coordinator sets up providers and invites each one's first account, its operations manager;
  later accounts are the provider's own business (and the admin's), so that the coordinator can
  never give an account of their choosing the rights of a provider that already holds children's
  data. Until the invitee has enrolled an authenticator, the coordinator may give them a one-time
  enrolment code and send the password link again.
"""

import rules
from django.contrib.auth.models import User
from django_otp import devices_for_user

from groups.models import Audience, SupportGroup
from groups.rules import leads_group
from partnership.models import Organisation
from partnership.rules import is_coordinator, is_group_leader, is_operations_manager, is_social_worker

from .models import PublicInterest, StaffInvitation

is_provider_staff = is_group_leader | is_operations_manager


@rules.predicate
def is_routed_to_users_provider(user: User, interest: PublicInterest) -> bool:
    return interest.routed_to.filter(pk=user.membership.organisation_id).exists()


@rules.predicate
def is_told_to_users_district(user: User, interest: PublicInterest) -> bool:
    """The family agreed that social services may be told: the district's social workers see it."""
    return interest.may_tell_social_services and interest.district_id == user.membership.district_id


@rules.predicate
def is_new(user: User, interest: PublicInterest) -> bool:
    return interest.status == interest.Status.NEW


@rules.predicate
def runs_group(user: User, group: SupportGroup) -> bool:
    return group.agreement.provider_id == user.membership.organisation_id


@rules.predicate
def is_parents_group(user: User, group: SupportGroup) -> bool:
    return group.audience == Audience.PARENTS


@rules.predicate
def is_iop_group(user: User, group: SupportGroup) -> bool:
    return group.agreement.is_iop


rules.add_perm("coordination.list_interests", is_provider_staff | is_social_worker)
rules.add_perm(
    "coordination.view_interest",
    (is_provider_staff & is_routed_to_users_provider) | (is_social_worker & is_told_to_users_district),
)
rules.add_perm("coordination.take_up_interest", is_provider_staff & is_routed_to_users_provider & is_new)
rules.add_perm("coordination.publish_group", is_operations_manager & runs_group)
# A provider outside the IOP takes a child in on the custodian's consent; the IOP's children come
# through the districts' referrals and the consent gate (referrals, consent).
rules.add_perm("coordination.place_participant", is_provider_staff & runs_group & ~is_iop_group & ~is_parents_group)
rules.add_perm("coordination.view_participants", is_provider_staff & runs_group)
rules.add_perm("coordination.manage_parents", is_provider_staff & runs_group & is_parents_group)
# Attendance of the provider's own participants: who records an IOP placement's attendance
# (groups.lead_group: the operations manager, or a leader of the group) records theirs.
rules.add_perm(
    "coordination.record_participant_attendance",
    runs_group & (is_operations_manager | (is_group_leader & leads_group)) & (~is_iop_group | is_parents_group),
)
# The contact before the group (as groups' record_visit): a child's, so not in a parents' group.
rules.add_perm(
    "coordination.record_participant_visit",
    runs_group & (is_operations_manager | (is_group_leader & leads_group)) & ~is_iop_group & ~is_parents_group,
)
rules.add_perm("coordination.view_city_overview", is_coordinator)
# The city's information work (IOP 3.1.3, the coordination's proposal): the coordinator mails the
# planned groups to the contact list.
rules.add_perm("coordination.send_planned_groups", is_coordinator)


# --- Setting up providers (issue 15) -------------------------------------------------------------


@rules.predicate
def is_provider_without_staff(user: User, organisation: Organisation) -> bool:
    """A provider nobody works for yet: its first account is the coordinator's to invite."""
    return organisation.organisation_type != Organisation.Type.CITY and not organisation.memberships.exists()


@rules.predicate
def invitee_has_no_authenticator(user: User, invitation: StaffInvitation) -> bool:
    invitee = invitation.user
    return invitee.is_active and not any(devices_for_user(invitee, confirmed=True))


@rules.predicate
def invitee_has_no_password(user: User, invitation: StaffInvitation) -> bool:
    return invitation.user.is_active and not invitation.user.has_usable_password()


rules.add_perm("coordination.manage_providers", is_coordinator)
rules.add_perm("coordination.invite_first_staff", is_coordinator & is_provider_without_staff)
rules.add_perm("coordination.issue_invitee_enrolment_code", is_coordinator & invitee_has_no_authenticator)
rules.add_perm("coordination.resend_invitation", is_coordinator & invitee_has_no_password)
