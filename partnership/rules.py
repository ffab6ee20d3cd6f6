"""Who may do what in the partnership app. Every app declares its rules in its own rules.py."""

import rules

from .models import Role


def _role(user):
    membership = getattr(user, "membership", None) if user.is_authenticated else None
    return membership.role if membership else None


@rules.predicate
def is_group_leader(user):
    return _role(user) == Role.GROUP_LEADER


@rules.predicate
def is_operations_manager(user):
    return _role(user) == Role.OPERATIONS_MANAGER


@rules.predicate
def is_social_worker(user):
    return _role(user) == Role.SOCIAL_WORKER


@rules.predicate
def is_coordinator(user):
    return _role(user) == Role.COORDINATOR


is_provider_staff = is_group_leader | is_operations_manager

rules.add_perm("partnership.view_agreement", rules.is_authenticated & (is_provider_staff | is_coordinator))
rules.add_perm("partnership.view_district_contacts", is_coordinator | is_operations_manager)
