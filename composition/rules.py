"""Who may compose groups (issue 16).

- The operations manager plans groups and places children (groups/rules.py), so they ask for
  suggestions over their own provider's waiting list and accept, change or reject them; another
  provider's suggestion is a 404 (composition.selectors scopes every lookup to the provider).
- The district's social worker records that two of the district's children must not meet, or are
  siblings: the district knows the children; the provider sees only the consequence.
"""

import rules

from partnership.rules import is_operations_manager, is_social_worker


@rules.predicate
def is_requests_provider(user, request):
    return request.agreement.provider_id == user.membership.organisation_id


rules.add_perm("composition.suggest_groups", is_operations_manager)
rules.add_perm("composition.decide_suggestion", is_operations_manager & is_requests_provider)
rules.add_perm("composition.record_child_relation", is_social_worker)
