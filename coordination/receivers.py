"""The coordination connects to the hooks of the apps below it (imported by partnership/apps.py)."""

from django.dispatch import receiver

from groups.services import participant_counter_register
from referrals.signals import purge_sweep_ran

from .models import ParentParticipant, Participant
from .services import coordination_purge_due


@receiver(purge_sweep_ran, dispatch_uid="coordination_purge_due")
def purge_with_the_nightly_sweep(sender, on, **kwargs):
    """Lapsed public interests and the people of ended groups go with the nightly purge sweep."""
    coordination_purge_due(on=on)


def count_participants(group) -> int:
    """Children taken in on a custodian's consent, and a parents' group's parents: they count
    toward the group's size when a provider outside the IOP starts it."""
    return (
        Participant.objects.filter(group=group, removed_at__isnull=True, purged_at__isnull=True).count()
        + ParentParticipant.objects.filter(group=group, purged_at__isnull=True).count()
    )


participant_counter_register(count_participants)
