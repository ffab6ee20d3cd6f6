"""Purge every child's data whose grace period has run out (IOP 2.3), or list it with --dry-run.

Prints pseudonyms only: never a name or an identity number.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.utils import timezone

from referrals.models import PurgeRule
from referrals.purge import purge_due_on, referral_purge
from referrals.selectors import referrals_purge_due


class Command(BaseCommand):
    help = "Gallrar uppgifter om barn vars gallringsfrist har löpt ut. --dry-run visar bara vad som skulle gallras."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Visa vad som skulle gallras utan att gallra.")

    def handle(self, *args, dry_run: bool = False, **options):
        due = list(referrals_purge_due(on=timezone.localdate()).select_related("district").order_by("ended_at"))
        if not due:
            self.stdout.write("Inget att gallra.")
            return
        for referral in due:
            line = f"{referral.pseudonym}  {referral.district}  förföll {purge_due_on(referral):%Y-%m-%d}"
            if dry_run:
                self.stdout.write(f"Skulle gallras: {line}")
                continue
            try:
                referral_purge(referral=referral, by=None, rule=PurgeRule.GRACE_PERIOD)
            except ValidationError as error:
                self.stderr.write(f"Gallrades inte: {referral.pseudonym}: {' '.join(error.messages)}")
            else:
                self.stdout.write(f"Gallrad: {line}")
        summary = "skulle gallras" if dry_run else "behandlade"
        self.stdout.write(self.style.SUCCESS(f"{len(due)} {summary}."))
