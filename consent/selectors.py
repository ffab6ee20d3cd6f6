from django.db.models import QuerySet
from django.http import Http404

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


def access_log_search(*, user, filters: dict) -> QuerySet[AccessLogEntry]:
    queryset = access_log_visible_to(user)
    if filters.get("username"):
        queryset = queryset.filter(username__icontains=filters["username"])
    if filters.get("child"):
        queryset = queryset.filter(child_pseudonym__iexact=filters["child"].strip())
    if filters.get("action"):
        queryset = queryset.filter(action=filters["action"])
    if filters.get("date_from"):
        queryset = queryset.filter(occurred_at__date__gte=filters["date_from"])
    if filters.get("date_to"):
        queryset = queryset.filter(occurred_at__date__lte=filters["date_to"])
    return queryset


def get_log_review_for(user, review_id) -> LogReview:
    try:
        review = LogReview.objects.get(pk=review_id, reviewer=user)
    except LogReview.DoesNotExist as error:
        raise Http404 from error
    return review
