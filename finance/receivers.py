"""How the finance app hooks into the apps below it; imported at start-up (partnership/apps.py)."""

from django.dispatch import receiver

from groups.signals import child_placed

from .services import external_fee_record


@receiver(child_placed, dispatch_uid="finance_fee_for_a_child_from_another_municipality")
def fee_for_a_child_from_another_municipality(sender, placement, placed_by, **kwargs):
    # IOP 3.2: the responsible municipality pays 5 000 kr a child, accounted separately.
    if placement.referral.is_external:
        external_fee_record(placement=placement, recorded_by=placed_by)
