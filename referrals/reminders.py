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
    ReminderSubject,
    link_by_public_id,
    members_by_district,
    members_by_organisation,
    reminder_kind,
)

from .models import PlacementBasis, PurgeRecord, PurgeRule, Referral, ReferralStatus
from .retention import purge_due_after, waiting_list_ends_after, waiting_list_review_due_condition
from .selectors import referrals_purge_due_within

# The sweeps below read their rows as values, not model instances, and name their subjects by
# ReminderSubject: a first run over a national backlog reads tens of thousands of referrals.


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
    ).values_list("pk", "pseudonym", "public_id", "created_at", "district_id", "district__name")
    link_to = link_by_public_id("referrals:detail")
    social_workers = members_by_district(Role.SOCIAL_WORKER)
    text = _("Samtycke saknas för %(p)s (%(district)s), anmäld %(day)s.")
    local = timezone.get_current_timezone()
    for pk, pseudonym, public_id, created_at, district_id, district_name in referrals:
        recipients = social_workers.get(district_id, [])
        if not recipients:
            continue
        submitted_on = timezone.localdate(created_at, local)
        summary = text % {"p": pseudonym, "district": district_name, "day": f"{submitted_on:%Y-%m-%d}"}
        link = link_to(public_id)
        due_on = submitted_on + datetime.timedelta(days=settings.CONSENT_REMINDER_DAYS)
        subject = ReminderSubject(Referral, pk)
        for user_id in recipients:
            yield DueReminder(user_id, subject, due_on, summary, link)


@reminder_kind("purge_due", gettext_lazy("Gallring närmar sig"))
def purge_due(today: datetime.date) -> Iterable[DueReminder]:
    """A child's data becomes due for purging within the notice period → Bris' operations
    managers, who choose purge or return before it goes."""
    managers = members_by_organisation(Role.OPERATIONS_MANAGER)
    link = reverse("referrals:purge_due")
    referrals = referrals_purge_due_within(on=today, days=settings.PURGE_NOTICE_DAYS).values_list(
        "pk", "pseudonym", "ended_at", "district__name", "agreement__provider_id"
    )
    text = _("Uppgifterna om %(p)s (%(district)s) gallras %(day)s. Välj gallra eller återför.")
    for pk, pseudonym, ended_at, district_name, provider_id in referrals:
        due_on = purge_due_after(ended_at)  # type: ignore[arg-type] # ended: filtered
        summary = text % {"p": pseudonym, "district": district_name, "day": f"{due_on:%Y-%m-%d}"}
        subject = ReminderSubject(Referral, pk)
        for user_id in managers(provider_id):
            yield DueReminder(user_id, subject, due_on, summary, link)


@reminder_kind("purge_done", gettext_lazy("Gallring utförd"))
def purge_done(today: datetime.date) -> Iterable[DueReminder]:
    """A child's data was purged (last 30 days) → Bris' operations managers, for their records."""
    managers = members_by_organisation(Role.OPERATIONS_MANAGER)
    link = reverse("referrals:purge_due")
    since = timezone.now() - datetime.timedelta(days=30)
    records = PurgeRecord.objects.filter(purged_at__gte=since).values_list(
        "pk", "pseudonym", "purged_at", "rule", "referral__agreement__provider_id"
    )
    text = _("Uppgifterna om %(p)s gallrades %(day)s (%(rule)s).")
    rules = {rule.value: str(rule.label) for rule in PurgeRule}
    for pk, pseudonym, purged_at, rule, provider_id in records:
        purged_on = timezone.localdate(purged_at)
        summary = text % {"p": pseudonym, "day": f"{purged_on:%Y-%m-%d}", "rule": rules.get(rule, rule)}
        subject = ReminderSubject(PurgeRecord, pk)
        for user_id in managers(provider_id):
            yield DueReminder(user_id, subject, purged_on, summary, link)


@reminder_kind("waiting_list_review", gettext_lazy("Väntar barnet fortfarande?"))
def waiting_list_review(today: datetime.date) -> Iterable[DueReminder]:
    """A child has been on the waiting list WAITING_LIST_REVIEW_DAYS without the district
    confirming → the district's social workers, who confirm on the referral page before the
    referral ends by itself. Closes once confirmed (or ended)."""
    referrals = Referral.objects.filter(waiting_list_review_due_condition(today)).values_list(
        "pk",
        "pseudonym",
        "public_id",
        "status_changed_at",
        "waiting_list_confirmed_at",
        "district_id",
        "district__name",
    )
    link_to = link_by_public_id("referrals:detail")
    social_workers = members_by_district(Role.SOCIAL_WORKER)
    text = _(
        "Behöver %(p)s (%(district)s) fortfarande en plats i en grupp? Bekräfta på anmälan senast %(day)s, "
        "annars avslutas anmälan."
    )
    for pk, pseudonym, public_id, changed_at, confirmed_at, district_id, district_name in referrals:
        recipients = social_workers.get(district_id, [])
        if not recipients:
            continue
        ends_on = waiting_list_ends_after(status_changed_at=changed_at, confirmed_at=confirmed_at)
        summary = text % {"p": pseudonym, "district": district_name, "day": f"{ends_on:%Y-%m-%d}"}
        link = link_to(public_id)
        subject = ReminderSubject(Referral, pk)
        # The period is the review day: a confirmation starts a new period and a new reminder.
        period = f"{ends_on:%Y-%m-%d}"
        for user_id in recipients:
            yield DueReminder(user_id, subject, ends_on, summary, link, period=period)
