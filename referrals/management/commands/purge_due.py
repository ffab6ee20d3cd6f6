"""Purge every child's data whose grace period has run out (IOP 2.3), or list it with --dry-run.

Also purges the interest registrations that never became a referral and are due.
Prints pseudonyms, districts and dates only: never a name, an identity number or a contact.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from referrals.models import PurgeRule
from referrals.purge import PURGE_BATCH, interest_registrations_purge_due, referrals_purge
from referrals.retention import interest_registration_due_on, purge_due_on
from referrals.selectors import interest_registrations_purge_due as interest_registrations_due
from referrals.selectors import referrals_purge_due


class Command(BaseCommand):
    help = "Gallrar uppgifter om barn vars gallringsfrist har löpt ut. --dry-run visar bara vad som skulle gallras."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Visa vad som skulle gallras utan att gallra.")

    def handle(self, *args, dry_run: bool = False, **options):
        today = timezone.localdate()
        due = list(referrals_purge_due(on=today).select_related("district").order_by("ended_at"))
        registrations = list(
            interest_registrations_due(on=today)
            .select_related("district")
            .only("status", "created_at", "decided_at", "referral_id", "district__name")
            .order_by("created_at", "pk")
        )
        if not due and not registrations:
            self.stdout.write("Inget att gallra.")
            return
        for start in range(0, len(due), PURGE_BATCH):
            batch = due[start : start + PURGE_BATCH]
            purged = set()
            if not dry_run:
                # A batch in one transaction, set-based: each child all or nothing.
                records = referrals_purge(referral_ids=[r.pk for r in batch], by=None, rule=PurgeRule.GRACE_PERIOD)
                purged = {record.referral_id for record in records}
            for referral in batch:
                line = f"{referral.pseudonym}  {referral.district}  förföll {purge_due_on(referral):%Y-%m-%d}"
                if dry_run:
                    self.stdout.write(f"Skulle gallras: {line}")
                elif referral.pk in purged:
                    self.stdout.write(f"Gallrad: {line}")
                else:
                    self.stderr.write(
                        f"Gallrades inte (hålls av en annan körning eller inte längre förfallen): {referral.pseudonym}"
                    )
        registrations_handled = len(registrations)
        if dry_run:
            for registration in registrations:
                self.stdout.write(
                    f"Skulle gallras: Intresseanmälan  {registration.district.name}  "
                    f"{registration.get_status_display()}  "
                    f"förföll {interest_registration_due_on(registration):%Y-%m-%d}"
                )
        elif registrations:
            # All of them in one transaction, so the count is what was actually purged.
            registrations_handled = interest_registrations_purge_due(on=today, by=None)
            self.stdout.write(f"Gallrade intresseanmälningar som inte blev anmälningar: {registrations_handled}")
        summary = "skulle gallras" if dry_run else "behandlade"
        self.stdout.write(self.style.SUCCESS(f"{len(due) + registrations_handled} {summary}."))
