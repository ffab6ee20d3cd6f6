"""State changes in finance. Amounts are integer öre."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from referrals.identity_numbers import age_on

from .models import ExternalFee


@transaction.atomic
def external_fee_record(*, placement, recorded_by) -> ExternalFee:
    """Placing a child from another municipality creates the fee it owes (IOP 3.2)."""
    referral = placement.referral
    if not referral.is_external:
        raise ValidationError(_("Barnet tillhör Stockholms stad; ingen avgift tas ut."))
    child = referral.child
    today = timezone.localdate()
    fee, _created = ExternalFee.objects.get_or_create(
        placement=placement,
        defaults={
            "agreement": placement.group.agreement,
            "municipality": referral.external_municipality,
            "child_initials": f"{child.first_name[:1]}{child.last_name[:1]}".upper(),
            "child_age": age_on(child.birth_date, today),
            "group_name": placement.group.name,
            "amount_ore": placement.group.agreement.external_child_fee_ore,
            "invoiced_on": today,
            "recorded_by": recorded_by,
        },
    )
    return fee
