"""Who records consent and reports concerns, and who reviews the access log (loggkontroll)."""

import rules
from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from partnership.rules import is_coordinator, is_group_leader, is_operations_manager, is_social_worker
from referrals.models import PlacementBasis, Referral
from referrals.rules import is_referrals_district, is_referrals_provider

from .models import LogReview

rules.add_perm("consent.review_access_log", is_coordinator | is_operations_manager)


@rules.predicate
def is_own_review(user: User, review: LogReview) -> bool:
    return review.reviewer_id == user.pk


rules.add_perm("consent.view_log_review", (is_coordinator | is_operations_manager) & is_own_review)

# The district obtains and records the guardians' consent (IOP 2.3).
rules.add_perm("consent.record_consent", is_social_worker & is_referrals_district)


def consent_record_refusal(referral: Referral) -> str | None:
    """Why no consent can be recorded for this referral now, or None. A SoL placement needs every
    custodian's consent; an LVU placement needs none (3 § LVU); an ended referral takes no more."""
    if referral.placement_basis != PlacementBasis.SOL:
        return _("En LVU-placering behöver inget samtycke.")
    if not referral.is_active:
        return _("Anmälan är avslutad; samtycke kan inte registreras.")
    return None


def consent_withdraw_refusal(referral: Referral) -> str | None:
    """Why a consent cannot be withdrawn now, or None: once the referral has ended there is
    nothing left for the consent to hold open."""
    if not referral.is_active:
        return _("Anmälan är avslutad; samtycket kan inte återkallas.")
    return None


@rules.predicate
def consent_recordable(user: User, referral: Referral) -> bool:
    return consent_record_refusal(referral) is None


@rules.predicate
def consent_withdrawable(user: User, referral: Referral) -> bool:
    return consent_withdraw_refusal(referral) is None


# What the referral page offers; the services refuse the same (consent.services).
rules.add_perm("consent.give_consent", is_social_worker & is_referrals_district & consent_recordable)
rules.add_perm("consent.withdraw_consent", is_social_worker & is_referrals_district & consent_withdrawable)
# Anmälningsplikt: any Bris staff member may report a concern about a child of their agreements.
rules.add_perm("consent.report_concern", (is_group_leader | is_operations_manager) & is_referrals_provider)
