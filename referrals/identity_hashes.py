"""Rebuilding the identity-number hashes (the duplicate-child check) under IDENTITY_HASH_KEY.

Run once by migration 0004 (hashes made before the key of their own existed were keyed from the
first encryption key), and by `manage.py rebuild_identity_hashes` if IDENTITY_HASH_KEY itself ever
has to change (a leaked key): deploy the new key, then run the command before the next referral.
Purged referrals have no identity and no hash, so they are left alone.
"""

from collections import defaultdict

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from partnership.encryption import keyed_hash

from .models import ACTIVE_STATUSES


def rebuild_identity_hashes(referral_model, *, key: str | None = None) -> int:
    """Recompute every stored hash from the (decrypted) identity number; returns how many changed.

    Takes the model so that the data migration can pass its historical one. Refuses, changing
    nothing, when two active referrals turn out to be the same child: the check was broken while
    they were made, and a person must end one of them first (the message names pseudonyms only).
    """
    referrals = list(
        referral_model.objects.filter(child__isnull=False)
        .select_related("child")
        .only("pk", "pseudonym", "status", "identity_hash", "child__identity_number")
    )
    new_hashes = {referral.pk: keyed_hash(referral.child.identity_number, key=key) for referral in referrals}
    active: dict[str, list[str]] = defaultdict(list)
    for referral in referrals:
        if referral.status in ACTIVE_STATUSES:
            active[new_hashes[referral.pk]].append(referral.pseudonym)
    clashes = [sorted(pseudonyms) for pseudonyms in active.values() if len(pseudonyms) > 1]
    if clashes:
        raise ImproperlyConfigured(
            "Samma barn har flera aktiva anmälningar: "
            + "; ".join(", ".join(pseudonyms) for pseudonyms in clashes)
            + ". Avsluta alla utom en och kör igen."
        )
    changed = [referral for referral in referrals if referral.identity_hash != new_hashes[referral.pk]]
    with transaction.atomic():
        # Clear first, then set: the unique constraint on active hashes holds at every step even
        # when two referrals swap hashes.
        referral_model.objects.filter(pk__in=[referral.pk for referral in changed]).update(identity_hash=None)
        for referral in changed:
            referral_model.objects.filter(pk=referral.pk).update(identity_hash=new_hashes[referral.pk])
    return len(changed)
