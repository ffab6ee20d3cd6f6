import datetime

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from partnership.models import AccessLogEntry, Role

from .models import LogReview


def access_log_visible_to(user) -> QuerySet[AccessLogEntry]:
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


def access_log_search(*, user, filters: dict) -> QuerySet[AccessLogEntry]:
    """The log filtered; every filter is answered by an index (partnership's migration 0008), so
    any combination stays fast at tens of millions of entries."""
    queryset = access_log_visible_to(user)
    if filters.get("username"):
        # The whole user name, in any case: served by the index on UPPER(username) in time order.
        # (A substring search cannot use an index and would read the whole log.)
        queryset = queryset.filter(username__iexact=filters["username"].strip())
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


def get_log_review_for(user, review_id) -> LogReview:
    try:
        review = LogReview.objects.get(pk=review_id, reviewer=user)
    except LogReview.DoesNotExist as error:
        raise Http404 from error
    return review
