"""Who may do what in the partnership app. Every app declares its rules in its own rules.py."""

from typing import Any

import rules
from django.contrib.auth.models import AnonymousUser, User

from .models import Role


def _role(user: User | AnonymousUser) -> str | None:
    membership = getattr(user, "membership", None) if user.is_authenticated else None
    return membership.role if membership else None


@rules.predicate
def is_group_leader(user: User | AnonymousUser) -> bool:
    return _role(user) == Role.GROUP_LEADER


@rules.predicate
def is_operations_manager(user: User | AnonymousUser) -> bool:
    return _role(user) == Role.OPERATIONS_MANAGER


@rules.predicate
def is_social_worker(user: User | AnonymousUser) -> bool:
    return _role(user) == Role.SOCIAL_WORKER


@rules.predicate
def is_coordinator(user: User | AnonymousUser) -> bool:
    return _role(user) == Role.COORDINATOR


is_provider_staff = is_group_leader | is_operations_manager

rules.add_perm("partnership.view_agreement", rules.is_authenticated & (is_provider_staff | is_coordinator))
rules.add_perm("partnership.view_district_contacts", is_coordinator | is_operations_manager)


# --- Follow-up (issue 6): evaluation, cooperation group, information work, follow-up report ---


@rules.predicate
def leads_group(user: User, group: Any) -> bool:
    return group is not None and group.leaders.filter(pk=user.pk).exists()


@rules.predicate
def is_groups_provider(user: User, group: Any) -> bool:
    return group is not None and group.agreement.provider_id == user.membership.organisation_id


@rules.predicate
def is_groups_public_party(user: User, group: Any) -> bool:
    return group is not None and group.agreement.public_party_id == user.membership.organisation_id


# Evaluations: leaders enter answers and make answer links for their own groups; the operations
# manager sees the provider's groups; the coordinator sees figures, never children.
rules.add_perm("partnership.list_evaluations", is_provider_staff | is_coordinator)
rules.add_perm(
    "partnership.view_group_evaluation",
    (is_group_leader & leads_group)
    | (is_operations_manager & is_groups_provider)
    | (is_coordinator & is_groups_public_party),
)
rules.add_perm("partnership.enter_evaluation", is_group_leader & leads_group)
rules.add_perm("partnership.create_evaluation_link", is_group_leader & leads_group)
rules.add_perm("partnership.view_evaluation_outcomes", is_coordinator | is_operations_manager)
# The cooperation group (IOP 3.2): the coordinator keeps it, Bris' operations manager reads it.
rules.add_perm("partnership.view_cooperation", is_coordinator | is_operations_manager)
rules.add_perm("partnership.manage_cooperation", is_coordinator)
rules.add_perm("partnership.manage_amendments", is_coordinator)
# Contact lists come from the city (IOP 3.1.3) and are kept by the coordinator.
rules.add_perm("partnership.manage_district_contacts", is_coordinator)
# Information meetings (breakfast meetings, IOP 3.1.2, and the city's): followup/rules.py.
rules.add_perm("partnership.view_followup_report", is_coordinator)
