"""The coordination connects to the hooks of the apps below it (imported by partnership/apps.py)."""

from django.dispatch import receiver

from referrals.signals import purge_sweep_ran

from .services import coordination_purge_due


@receiver(purge_sweep_ran, dispatch_uid="coordination_purge_due")
def purge_with_the_nightly_sweep(sender, on, **kwargs):
    """Lapsed public interests and the people of ended groups go with the nightly purge sweep."""
    coordination_purge_due(on=on)
