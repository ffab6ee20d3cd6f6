import datetime
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from partnership.models import AccessLogEntry, Agreement, Membership, Role

from .models import ConcernReport, DutyToReportReference, LogReview


def access_log_visible_to(user: User) -> QuerySet[AccessLogEntry]:
    """The coordinator sees the whole log; a Bris manager the entries of their own organisation's staff."""
    membership = getattr(user, "membership", None)
    queryset = AccessLogEntry.objects.all()
    if membership is None:
        return queryset.none()
    if membership.role == Role.COORDINATOR:
        return queryset
    if membership.role == Role.OPERATIONS_MANAGER:
        return queryset.filter(user__membership__organisation_id=membership.organisation_id)
    return queryset.none()


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def access_log_search(*, user: User, filters: dict[str, Any]) -> QuerySet[AccessLogEntry]:
    """The log filtered; every filter is answered by an index (partnership's migration 0008), so
    any combination stays fast at tens of millions of entries."""
    queryset = access_log_visible_to(user)
    if filters.get("username"):
        username = filters["username"].strip()
        membership = getattr(user, "membership", None)
        if membership is not None and membership.role == Role.OPERATIONS_MANAGER:
            # The manager sees their own staff's entries: the staff member of that name is looked
            # up first, and their entries read through the index on user and time. Joined on
            # every entry instead, the database would read all the entries of a person outside
            # the scope (tens of thousands) to keep none of them.
            staff = Membership.objects.filter(
                organisation_id=membership.organisation_id, user__username__iexact=username
            ).values_list("user_id", flat=True)
            queryset = AccessLogEntry.objects.filter(user_id__in=list(staff))
        else:
            # The whole user name, in any case: served by the index on UPPER(username) in time
            # order. (A substring search cannot use an index and would read the whole log.)
            queryset = queryset.filter(username__iexact=username)
    if filters.get("child"):
        # Pseudonyms are stored in capitals (referrals.models.PSEUDONYM_ALPHABET).
        queryset = queryset.filter(child_pseudonym=filters["child"].strip().upper())
    if filters.get("action"):
        queryset = queryset.filter(action=filters["action"])
    # Whole local days as a range on the timestamp itself: a cast to date would keep the index out.
    if filters.get("date_from"):
        queryset = queryset.filter(occurred_at__gte=_start_of_day(filters["date_from"]))
    if filters.get("date_to"):
        queryset = queryset.filter(occurred_at__lt=_start_of_day(filters["date_to"] + datetime.timedelta(days=1)))
    return queryset


def get_log_review_for(user: User, review_id: int) -> LogReview:
    try:
        review = LogReview.objects.get(pk=review_id, reviewer=user)
    except LogReview.DoesNotExist as error:
        raise Http404 from error
    return review


# --- The duty to report (anmälningsplikt) ---------------------------------------------------------


def duty_to_report_reference_on(*, day: datetime.date, agreement: Agreement) -> str:
    """The legal reference in force on `day` (DutyToReportReference); the agreement's own text
    only for a day before every row."""
    row = DutyToReportReference.objects.filter(valid_from__lte=day).order_by("-valid_from").first()
    return row.reference if row is not None else agreement.duty_to_report_reference


# Where else a district can be reached when none of its social workers has an email address: the
# follow-up app's contact list registers itself here (followup/receivers.py), as it sits above.
DistrictContactSource = Callable[[int], list[str]]
_CONTACT_SOURCES: list[DistrictContactSource] = []


def district_contact_source_register(source: DistrictContactSource) -> None:
    if source not in _CONTACT_SOURCES:
        _CONTACT_SOURCES.append(source)


def concern_report_recipients(report: ConcernReport) -> list[str]:
    """Who hears of a concern: the district's active social workers with an email address; if
    none has one, the referral's case officer and the district's contacts on the city's contact
    list. Empty when nobody can be reached (the caller alerts and keeps the report open)."""
    referral = report.referral
    social_workers = list(
        Membership.objects.filter(role=Role.SOCIAL_WORKER, district_id=referral.district_id, user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if social_workers:
        return sorted(set(social_workers))
    fallback = [referral.case_officer_email] if referral.case_officer_email else []
    for source in _CONTACT_SOURCES:
        fallback.extend(source(referral.district_id))
    return sorted({address for address in fallback if address})


def concern_report_alert_recipients(report: ConcernReport) -> list[str]:
    """Who is alerted when a concern cannot reach the district: the agreement's coordinators
    (the city) and Bris' operations managers."""
    agreement = report.referral.agreement
    return sorted(
        set(
            Membership.objects.filter(user__is_active=True)
            .filter(
                Q(role=Role.COORDINATOR, organisation_id=agreement.public_party_id)
                | Q(role=Role.OPERATIONS_MANAGER, organisation_id=agreement.provider_id)
            )
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )
