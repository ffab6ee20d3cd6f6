"""Who may compose groups (issue 16).

- The operations manager plans groups and places children (groups/rules.py), so they ask for
  suggestions over their own provider's waiting list and accept, change or reject them; another
  provider's suggestion is a 404 (composition.selectors scopes every lookup to the provider).
- The district's social worker records that two of the district's children must not meet, or are
  siblings: the district knows the children; the provider sees only the consequence.
- The method library: read by everyone who works with groups, kept by the coordinator, who adds
  methods and so also changes and retires them (retiring, never deleting: groups name them).
"""

import rules
from django.contrib.auth.models import User

from groups.rules import is_groups_provider
from partnership.rules import is_coordinator, is_group_leader, is_operations_manager, is_social_worker

from .models import CompositionRequest


@rules.predicate
def is_requests_provider(user: User, request: CompositionRequest) -> bool:
    return request.agreement.provider_id == user.membership.organisation_id


rules.add_perm("composition.suggest_groups", is_operations_manager)
rules.add_perm("composition.decide_suggestion", is_operations_manager & is_requests_provider)
rules.add_perm("composition.record_child_relation", is_social_worker)

# The method library (issue 16): everyone who works with groups reads it and downloads manuals;
# the coordinator keeps it; a provider's operations manager names a group's method.
rules.add_perm(
    "composition.view_method_library",
    is_coordinator | is_operations_manager | is_group_leader | is_social_worker,
)
# Who adds methods changes and retires them: one predicate, so the three cannot drift apart.
keeps_method_library = is_coordinator
rules.add_perm("composition.manage_method_library", keeps_method_library)
rules.add_perm("composition.change_method", keeps_method_library)
rules.add_perm("composition.retire_method", keeps_method_library)
rules.add_perm("composition.set_group_method", is_operations_manager & is_groups_provider)
