"""Who may see and do what with a referral: the district wall and the consent gate, in one place.

- A social worker sees the referrals of their own district, with identity, and nothing else.
- Bris staff (group leaders, operations manager) see every referral of their organisation's
  agreements, but a child's identity only once the consent gate has passed (status READY or
  later) and while the referral has not been withdrawn or declined.
- The IOP coordinator sees no individual children at all: aggregated figures only.
"""

import rules
from django.contrib.auth.models import User

from partnership.rules import is_coordinator, is_group_leader, is_operations_manager, is_social_worker

from .models import InterestRegistration, Referral, ReferralStatus, ReturnDossier

# Reaching these means the gate passed; leaving for WITHDRAWN/DECLINED closes it again.
IDENTITY_VISIBLE_TO_PROVIDER = [
    ReferralStatus.READY,
    ReferralStatus.WAITING_LIST,
    ReferralStatus.PLACED,
    ReferralStatus.COMPLETED,
]


@rules.predicate
def is_referrals_district(user: User, referral: Referral) -> bool:
    return referral.district_id == user.membership.district_id


@rules.predicate
def is_referrals_provider(user: User, referral: Referral) -> bool:
    return referral.agreement.provider_id == user.membership.organisation_id


@rules.predicate
def gate_passed(user: User, referral: Referral) -> bool:
    return referral.status in IDENTITY_VISIBLE_TO_PROVIDER and referral.purged_at is None


@rules.predicate
def is_not_purged(user: User, referral: Referral) -> bool:
    return referral.purged_at is None


@rules.predicate
def is_dossiers_district(user: User, dossier: ReturnDossier) -> bool:
    return dossier.district_id == user.membership.district_id


is_provider_staff = is_group_leader | is_operations_manager

# Seeing the referral at all (for Bris before the gate: the pseudonymised record only).
rules.add_perm(
    "referrals.view_referral",
    (is_social_worker & is_referrals_district) | (is_provider_staff & is_referrals_provider),
)
rules.add_perm(
    "referrals.view_identity",
    (is_social_worker & is_referrals_district & is_not_purged)
    | (is_provider_staff & is_referrals_provider & gate_passed),
)


@rules.predicate
def ended_without_the_child(user: User, referral: Referral) -> bool:
    return referral.status in (ReferralStatus.WITHDRAWN, ReferralStatus.DECLINED)


# Free text the district writes (transition reasons, notes, the LVU legal basis): Bris reads it
# only while the gate is open, never before it and never after a withdrawal (IOP 2.3: no
# information about a child is exchanged without confirmed consent). Bris sees that the status
# changed, and when, but not the district's words.
rules.add_perm(
    "referrals.read_district_text",
    (is_social_worker & is_referrals_district) | (is_provider_staff & is_referrals_provider & gate_passed),
)
# The needs for group planning are the exception the form labels as visible to Bris: Bris plans
# with them before the gate, but not once the referral has ended without the child.
rules.add_perm(
    "referrals.view_needs",
    (is_social_worker & is_referrals_district)
    | (is_provider_staff & is_referrals_provider & is_not_purged & ~ended_without_the_child),
)
rules.add_perm("referrals.add_referral", is_social_worker)
# The waiting-list rule: the district confirms that its child still needs a place.
rules.add_perm("referrals.confirm_waiting_list", is_social_worker & is_referrals_district)
# Search by personnummer: the district, within its own referrals (selectors.referrals_with_identity_number).
rules.add_perm("referrals.search_identity_number", is_social_worker)
rules.add_perm("referrals.change_referral", is_social_worker & is_referrals_district)
rules.add_perm("referrals.acknowledge_referral", is_social_worker & is_referrals_district)


@rules.predicate
def is_active_referral(user: User, referral: Referral) -> bool:
    return referral.is_active and referral.purged_at is None


# The district adds or corrects guardians after submission while the referral is active (logged).
rules.add_perm("referrals.change_guardians", is_social_worker & is_referrals_district & is_active_referral)
rules.add_perm("referrals.decline_referral", is_operations_manager & is_referrals_provider)
rules.add_perm("referrals.add_interest_registration", is_provider_staff)
rules.add_perm("referrals.list_referrals", is_social_worker | is_provider_staff)
# The coordinator never sees individual children.
rules.add_perm("referrals.view_statistics", is_coordinator | is_operations_manager)

# The data lifecycle (IOP 2.3): Bris' operations manager decides, per child, purge or return;
# the placing district's social workers receive what is returned.
rules.add_perm("referrals.list_purge_due", is_operations_manager)
rules.add_perm("referrals.purge_referral", is_operations_manager & is_referrals_provider)
rules.add_perm("referrals.return_referral", is_operations_manager & is_referrals_provider & is_not_purged)
rules.add_perm("referrals.list_return_dossiers", is_social_worker)
rules.add_perm("referrals.receive_return_dossier", is_social_worker & is_dossiers_district)

# Who may move a referral to which status (the services check whether the move is legal).
TRANSITION_PERMISSIONS: dict[str, str] = {
    ReferralStatus.WAITING_LIST: "referrals.decline_referral",  # Bris takes the child onto its list
    ReferralStatus.DECLINED: "referrals.decline_referral",
    ReferralStatus.WITHDRAWN: "referrals.change_referral",  # the district withdraws its referral
}


def may_transition(user: User, referral: Referral, to_status: str) -> bool:
    permission = TRANSITION_PERMISSIONS.get(to_status)
    return permission is not None and rules.has_perm(permission, user, referral)


@rules.predicate
def is_registrations_district(user: User, registration: InterestRegistration) -> bool:
    return registration.district_id == user.membership.district_id


rules.add_perm("referrals.list_interest_registrations", is_social_worker | is_provider_staff)
rules.add_perm("referrals.decide_interest_registration", is_social_worker & is_registrations_district)


def interest_registration_undecided(registration: InterestRegistration) -> bool:
    """A registration is decided once: confirmed with a referral, or marked not relevant."""
    return registration.status == InterestRegistration.Status.PENDING


@rules.predicate
def is_undecided_registration(user: User, registration: InterestRegistration) -> bool:
    return interest_registration_undecided(registration)


# What the list offers: deciding a registration that is the user's to decide and still undecided
# (referrals.services.interest_registration_decide refuses a second decision).
rules.add_perm(
    "referrals.answer_interest_registration",
    is_social_worker & is_registrations_district & is_undecided_registration,
)
