"""How the groups app hooks into the apps below it; imported at start-up (partnership/apps.py)."""

from django.dispatch import receiver

from referrals.purge import dossier_section_register, purge_step_register
from referrals.signals import referral_gate_closed, referral_withdrawn

from .purge import group_records_for_dossier, purge_group_records
from .services import placement_end_for_referral

purge_step_register(purge_group_records)
dossier_section_register(group_records_for_dossier)


@receiver(referral_withdrawn, dispatch_uid="groups_free_the_place_of_a_withdrawn_child")
def free_the_place_of_a_withdrawn_child(sender, referral, by, reason, **kwargs):
    placement_end_for_referral(referral=referral, by=by, reason=reason)


@receiver(referral_gate_closed, dispatch_uid="groups_free_the_place_when_the_gate_closes")
def free_the_place_when_the_gate_closes(sender, referral, by, reason, **kwargs):
    placement_end_for_referral(referral=referral, by=by, reason=reason)
