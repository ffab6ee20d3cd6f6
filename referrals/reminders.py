"""Reminders about referrals and their data lifecycle (see partnership/reminders.py)."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnership.models import Role
from partnership.reminders import (
    DueReminder,
    link_by_public_id,
    members_by_district,
    members_by_organisation,
    reminder_kind,
)

from .models import PlacementBasis, PurgeRecord, Referral, ReferralStatus
from .purge import purge_due_on
from .retention import waiting_list_ends_on, waiting_list_review_due_condition
from .selectors import referrals_purge_due_within


@reminder_kind("consent_missing", gettext_lazy("Samtycke saknas"))
def consent_missing(today: datetime.date) -> Iterable[DueReminder]:
    """A SoL referral still without every guardian's consent N days after it was submitted (IOP 2.3)
    → the district's social workers, who obtain consent."""
    submitted_before = timezone.make_aware(
        datetime.datetime.combine(
            today - datetime.timedelta(days=settings.CONSENT_REMINDER_DAYS - 1), datetime.time.min
        )
    )
    referrals = Referral.objects.filter(
        placement_basis=PlacementBasis.SOL,
        status__in=[ReferralStatus.SUBMITTED, ReferralStatus.AWAITING_CONSENT],
        created_at__lt=submitted_before,
    ).select_related("district")
    # Only what the summary needs: the sweep reads thousands of referrals every hour.
    referrals = referrals.only("pseudonym", "public_id", "created_at", "district__name")
    link_to = link_by_public_id("referrals:detail")
    social_workers = members_by_district(Role.SOCIAL_WORKER)
    for referral in referrals:
        submitted_on = timezone.localdate(referral.created_at)
        summary = _("Samtycke saknas för %(p)s (%(district)s), anmäld %(day)s.") % {
            "p": referral.pseudonym,
            "district": referral.district,
            "day": f"{submitted_on:%Y-%m-%d}",
        }
        link = link_to(referral.public_id)
        due_on = submitted_on + datetime.timedelta(days=settings.CONSENT_REMINDER_DAYS)
        for user_id in social_workers.get(referral.district_id, []):
            yield DueReminder(user_id, referral, due_on, summary, link)


@reminder_kind("purge_due", gettext_lazy("Gallring närmar sig"))
def purge_due(today: datetime.date) -> Iterable[DueReminder]:
    """A child's data becomes due for purging within the notice period → Bris' operations
    managers, who choose purge or return before it goes."""
    managers = members_by_organisation(Role.OPERATIONS_MANAGER)
    link = reverse("referrals:purge_due")
    referrals = (
        referrals_purge_due_within(on=today, days=settings.PURGE_NOTICE_DAYS)
        .select_related("agreement", "district")
        .only("pseudonym", "ended_at", "district__name", "agreement__provider")
    )
    for referral in referrals:
        due_on = purge_due_on(referral)
        summary = _("Uppgifterna om %(p)s (%(district)s) gallras %(day)s. Välj gallra eller återför.") % {
            "p": referral.pseudonym,
            "district": referral.district,
            "day": f"{due_on:%Y-%m-%d}",
        }
        for user_id in managers(referral.agreement.provider_id):
            yield DueReminder(user_id, referral, due_on, summary, link)  # type: ignore[arg-type]


@reminder_kind("purge_done", gettext_lazy("Gallring utförd"))
def purge_done(today: datetime.date) -> Iterable[DueReminder]:
    """A child's data was purged (last 30 days) → Bris' operations managers, for their records."""
    managers = members_by_organisation(Role.OPERATIONS_MANAGER)
    link = reverse("referrals:purge_due")
    since = timezone.now() - datetime.timedelta(days=30)
    records = (
        PurgeRecord.objects.filter(purged_at__gte=since)
        .select_related("referral__agreement")
        .only("pseudonym", "purged_at", "rule", "referral__agreement__provider")
    )
    for record in records:
        purged_on = timezone.localdate(record.purged_at)
        summary = _("Uppgifterna om %(p)s gallrades %(day)s (%(rule)s).") % {
            "p": record.pseudonym,
            "day": f"{purged_on:%Y-%m-%d}",
            "rule": record.get_rule_display(),
        }
        for user_id in managers(record.referral.agreement.provider_id):
            yield DueReminder(user_id, record, purged_on, summary, link)


@reminder_kind("waiting_list_review", gettext_lazy("Väntar barnet fortfarande?"))
def waiting_list_review(today: datetime.date) -> Iterable[DueReminder]:
    """A child has been on the waiting list WAITING_LIST_REVIEW_DAYS without the district
    confirming → the district's social workers, who confirm on the referral page before the
    referral ends by itself. Closes once confirmed (or ended)."""
    referrals = Referral.objects.filter(waiting_list_review_due_condition(today)).select_related("district")
    social_workers = members_by_district(Role.SOCIAL_WORKER)
    for referral in referrals:
        ends_on = waiting_list_ends_on(referral)
        summary = _(
            "Behöver %(p)s (%(district)s) fortfarande en plats i en grupp? Bekräfta på anmälan senast %(day)s, "
            "annars avslutas anmälan."
        ) % {"p": referral.pseudonym, "district": referral.district, "day": f"{ends_on:%Y-%m-%d}"}
        link = reverse("referrals:detail", kwargs={"public_id": referral.public_id})
        for user_id in social_workers.get(referral.district_id, []):
            # The period is the review day: a confirmation starts a new period and a new reminder.
            yield DueReminder(user_id, referral, ends_on, summary, link, period=f"{ends_on:%Y-%m-%d}")  # type: ignore[arg-type]
