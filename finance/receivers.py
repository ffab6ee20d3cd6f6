"""How the finance app hooks into the apps below it; imported at start-up (partnership/apps.py)."""

from django.dispatch import receiver

from groups.signals import child_placed
from referrals.signals import referral_withdrawn

from .services import external_fee_record, external_fees_void_if_never_started


@receiver(child_placed, dispatch_uid="finance_fee_for_a_child_from_another_municipality")
def fee_for_a_child_from_another_municipality(sender, placement, placed_by, **kwargs):
    # IOP 3.2: the responsible municipality pays 5 000 kr a child, accounted separately.
    if placement.referral.is_external:
        external_fee_record(placement=placement, recorded_by=placed_by)


@receiver(referral_withdrawn, dispatch_uid="finance_void_the_fee_of_a_child_who_never_started")
def void_the_fee_of_a_child_who_never_started(sender, referral, by, reason, **kwargs):
    # IOP 3.2 charges for a participating child: a child who never started owes nothing.
    external_fees_void_if_never_started(referral=referral, by=by, reason=reason)
