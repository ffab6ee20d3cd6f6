"""When a child's data becomes due for purging (IOP 2.3): the rules, as dates for one row and as
database filters for many. Purging itself is in referrals/purge.py, the lists in selectors.py.

A referral's data becomes due PURGE_GRACE_DAYS after Referral.ended_at (set by referral_transition).

A child on the waiting list is not kept forever: WAITING_LIST_REVIEW_DAYS after the child went on
the list (or the district last confirmed), the district is asked to confirm that the child still
needs a place; unconfirmed WAITING_LIST_CONFIRM_DAYS after that, the referral ends (withdrawn, with
the rule as its reason) and the purge clock above starts.

Interest registrations that never became a referral: one that became a referral goes when the
referral is purged and is never touched here. One the district rejected is purged PURGE_GRACE_DAYS
after the decision, like an ended referral; one the district never decided lapses
INTEREST_REGISTRATION_LAPSE_DAYS after Bris recorded it, so a forgotten registration does not keep
a family's contacts forever. A confirmed one whose referral is gone (the link is SET_NULL) counts
as decided. Each rule is written twice, for one row and as a filter; keep the two together.
"""

import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import InterestRegistration, Referral, ReferralStatus


def purge_due_on(referral: Referral) -> datetime.date | None:
    """The day the referral's data becomes due for purging; None while the referral is active."""
    if referral.ended_at is None:
        return None
    return purge_due_after(referral.ended_at)


def purge_due_after(ended_at: datetime.datetime) -> datetime.date:
    """purge_due_on for a referral that ended at this instant (a sweep reads the instant alone)."""
    return timezone.localdate(ended_at) + datetime.timedelta(days=settings.PURGE_GRACE_DAYS)


def ended_before(day: datetime.date) -> datetime.datetime:
    """purge_due_on(referral) <= day exactly when the referral ended before this instant."""
    first_day_not_due = day - datetime.timedelta(days=settings.PURGE_GRACE_DAYS) + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(first_day_not_due, datetime.time.min))


INTEREST_DECIDED = [InterestRegistration.Status.REJECTED, InterestRegistration.Status.CONFIRMED]


def _interest_registration_clock(registration: InterestRegistration) -> tuple[datetime.datetime, int]:
    """When the registration's retention period started, and how many days it runs."""
    if registration.status == InterestRegistration.Status.PENDING:
        return registration.created_at, settings.INTEREST_REGISTRATION_LAPSE_DAYS
    # The decision service always sets decided_at; a row without it counts from its registration
    # rather than never.
    return registration.decided_at or registration.created_at, settings.PURGE_GRACE_DAYS


def interest_registration_due_on(registration: InterestRegistration) -> datetime.date | None:
    """The day the registration becomes due for purging; None when it became a referral."""
    if registration.referral_id is not None:
        return None
    started_at, days = _interest_registration_clock(registration)
    return timezone.localdate(started_at) + datetime.timedelta(days=days)


def interest_registrations_due_condition(on: datetime.date) -> Q:
    """interest_registration_due_on(registration) <= on, as a filter, counted in local days."""

    def started_before(days: int) -> datetime.datetime:
        # Due on `on` when the period started before the first local day that is not due yet.
        first_day_not_due = on - datetime.timedelta(days=days) + datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(first_day_not_due, datetime.time.min))

    lapsed = Q(
        status=InterestRegistration.Status.PENDING,
        created_at__lt=started_before(settings.INTEREST_REGISTRATION_LAPSE_DAYS),
    )
    decided_before = started_before(settings.PURGE_GRACE_DAYS)
    decided = Q(status__in=INTEREST_DECIDED) & (
        Q(decided_at__lt=decided_before) | Q(decided_at__isnull=True, created_at__lt=decided_before)
    )
    return Q(referral__isnull=True) & (lapsed | decided)


# --- The waiting list: confirm or end -----------------------------------------------------------


def _waiting_list_clock(
    status_changed_at: datetime.datetime, confirmed_at: datetime.datetime | None
) -> datetime.datetime:
    """When the child went on the waiting list, or the district last confirmed, whichever is later."""
    return max(status_changed_at, confirmed_at) if confirmed_at else status_changed_at


def waiting_list_review_on(referral: Referral) -> datetime.date | None:
    """The day the district is asked to confirm; None for a referral not on the waiting list."""
    if referral.status != ReferralStatus.WAITING_LIST:
        return None
    return _waiting_list_review_after(referral.status_changed_at, referral.waiting_list_confirmed_at)


def _waiting_list_review_after(
    status_changed_at: datetime.datetime, confirmed_at: datetime.datetime | None
) -> datetime.date:
    clock = _waiting_list_clock(status_changed_at, confirmed_at)
    return timezone.localdate(clock) + datetime.timedelta(days=settings.WAITING_LIST_REVIEW_DAYS)


def waiting_list_ends_on(referral: Referral) -> datetime.date | None:
    """The day an unconfirmed referral on the waiting list ends."""
    review_on = waiting_list_review_on(referral)
    return None if review_on is None else review_on + datetime.timedelta(days=settings.WAITING_LIST_CONFIRM_DAYS)


def waiting_list_ends_after(
    *, status_changed_at: datetime.datetime, confirmed_at: datetime.datetime | None
) -> datetime.date:
    """waiting_list_ends_on for a referral on the waiting list, from the two instants alone (a
    sweep reads them as values)."""
    review_on = _waiting_list_review_after(status_changed_at, confirmed_at)
    return review_on + datetime.timedelta(days=settings.WAITING_LIST_CONFIRM_DAYS)


def _waiting_since_before(on: datetime.date, days: int) -> Q:
    """On the waiting list, with the clock started more than `days` local days before `on`:
    max(status change, confirmation) before an instant is both before it."""
    first_day_not_due = on - datetime.timedelta(days=days) + datetime.timedelta(days=1)
    instant = timezone.make_aware(datetime.datetime.combine(first_day_not_due, datetime.time.min))
    return Q(status=ReferralStatus.WAITING_LIST, status_changed_at__lt=instant) & (
        Q(waiting_list_confirmed_at__isnull=True) | Q(waiting_list_confirmed_at__lt=instant)
    )


def waiting_list_review_due_condition(on: datetime.date) -> Q:
    """waiting_list_review_on(referral) <= on, as a filter."""
    return _waiting_since_before(on, settings.WAITING_LIST_REVIEW_DAYS)


def waiting_list_lapsed_condition(on: datetime.date) -> Q:
    """waiting_list_ends_on(referral) <= on, as a filter."""
    return _waiting_since_before(on, settings.WAITING_LIST_REVIEW_DAYS + settings.WAITING_LIST_CONFIRM_DAYS)
