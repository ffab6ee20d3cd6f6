"""Who records consent and reports concerns, and who reviews the access log (loggkontroll)."""

import rules
from django.contrib.auth.models import User

from partnership.rules import is_coordinator, is_group_leader, is_operations_manager, is_social_worker
from referrals.rules import is_referrals_district, is_referrals_provider

from .models import LogReview

rules.add_perm("consent.review_access_log", is_coordinator | is_operations_manager)


@rules.predicate
def is_own_review(user: User, review: LogReview) -> bool:
    return review.reviewer_id == user.pk


rules.add_perm("consent.view_log_review", (is_coordinator | is_operations_manager) & is_own_review)

# The district obtains and records the guardians' consent (IOP 2.3).
rules.add_perm("consent.record_consent", is_social_worker & is_referrals_district)
# Anmälningsplikt: any Bris staff member may report a concern about a child of their agreements.
rules.add_perm("consent.report_concern", (is_group_leader | is_operations_manager) & is_referrals_provider)
