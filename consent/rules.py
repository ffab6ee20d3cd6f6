"""Log review (loggkontroll): the coordinator reviews everyone, a Bris manager reviews Bris staff."""

import rules

from partnership.rules import is_coordinator, is_operations_manager

rules.add_perm("consent.review_access_log", is_coordinator | is_operations_manager)


@rules.predicate
def is_own_review(user, review):
    return review.reviewer_id == user.pk


rules.add_perm("consent.view_log_review", (is_coordinator | is_operations_manager) & is_own_review)
