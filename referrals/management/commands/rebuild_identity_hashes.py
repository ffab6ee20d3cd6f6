"""Recompute the identity-number hashes under the current IDENTITY_HASH_KEY (see README)."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from referrals.identity_hashes import rebuild_identity_hashes
from referrals.models import Referral


class Command(BaseCommand):
    help = "Räknar om personnummerhasharna med IDENTITY_HASH_KEY (efter byte av nyckeln)."

    def handle(self, *args, **options):
        try:
            changed = rebuild_identity_hashes(Referral)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"{changed} hashar räknades om."))
