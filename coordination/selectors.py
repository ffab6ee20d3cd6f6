"""Reads of the coordination for signed-in users, always within the user's scope: a provider's
staff their own provider's interests, groups and people; a district's social workers the
interests about their district's children that the family let them see; the coordinator counts."""

import uuid
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from groups.models import Audience, GroupStatus, SupportGroup
from groups.selectors import groups_visible_to
from partnership.models import Agreement, Role

from .models import ParentParticipant, Participant, PublicInterest


def interests_visible_to(user: User) -> QuerySet[PublicInterest]:
    membership = getattr(user, "membership", None)
    queryset = PublicInterest.objects.select_related("district", "target_group", "taken_up_by")
    if membership is None:
        return queryset.none()
    if membership.role in (Role.GROUP_LEADER, Role.OPERATIONS_MANAGER):
        return queryset.filter(routed_to=membership.organisation_id)
    if membership.role == Role.SOCIAL_WORKER:
        return queryset.filter(district_id=membership.district_id, may_tell_social_services=True)
    return queryset.none()


def get_interest_for(user: User, public_id: uuid.UUID | str) -> PublicInterest:
    try:
        return interests_visible_to(user).get(public_id=public_id)
    except (PublicInterest.DoesNotExist, ValueError) as error:
        raise Http404 from error


def groups_for_intake(user: User, interest: PublicInterest | None = None) -> QuerySet[SupportGroup]:
    """The provider's own children's and young people's groups that take children now."""
    groups = groups_visible_to(user).filter(
        parent__isnull=True,
        status__in=[GroupStatus.PLANNED, GroupStatus.OPEN, GroupStatus.RUNNING],
        agreement__kind__in=["operating_grant", "district_own"],
    )
    groups = groups.exclude(audience=Audience.PARENTS)
    if interest is not None:
        groups = groups.filter(min_age__lte=interest.child_age, max_age__gte=interest.child_age)
    return groups.order_by("starts_on", "pk")


def children_groups_of_provider(user: User) -> QuerySet[SupportGroup]:
    return groups_visible_to(user).filter(parent__isnull=True).exclude(audience=Audience.PARENTS).order_by("-starts_on")


def participants_of(group: SupportGroup) -> list[Participant]:
    return list(group.participants.filter(removed_at__isnull=True).order_by("created_at"))


def parents_of(group: SupportGroup) -> list[ParentParticipant]:
    return list(group.parents.select_related("accompanies").order_by("created_at"))


def _groups_counted(**where: Any) -> Coalesce:
    """The agreement's top-level groups (matching `where`), counted in a subquery per agreement."""
    groups = SupportGroup.objects.filter(agreement=OuterRef("pk"), parent__isnull=True, **where).order_by()
    count = groups.values("agreement").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(count, output_field=IntegerField()), Value(0))


def city_overview() -> list[dict[str, Any]]:
    """The coordinator's city in aggregate: per provider, published groups, public interests new
    and taken up, and parents in parents' groups. Counts only.

    The groups are counted per agreement (a few), each from the index group_counts_per_agreement
    alone: grouped by the provider's name over the joined groups, PostgreSQL read every group."""
    providers: dict[str, dict[str, Any]] = {}
    for row in (
        Agreement.objects.annotate(
            group_count=_groups_counted(),
            published_count=_groups_counted(is_published=True),
            parents_group_count=_groups_counted(audience=Audience.PARENTS),
        )
        .order_by("provider__name", "pk")
        .values("provider__name", "group_count", "published_count", "parents_group_count")
    ):
        if not row["group_count"]:
            continue  # an agreement without groups: its provider is listed only for others
        providers.setdefault(
            row["provider__name"],
            {"name": row["provider__name"], "groups": 0, "published": 0, "parents_groups": 0, "parents": 0},
        )
        entry = providers[row["provider__name"]]
        entry["groups"] += row["group_count"]
        entry["published"] += row["published_count"]
        entry["parents_groups"] += row["parents_group_count"]
    for parents in (
        ParentParticipant.objects.values("group__agreement__provider__name").annotate(n=Count("pk")).order_by()
    ):
        name = parents["group__agreement__provider__name"]
        if name in providers:
            providers[name]["parents"] = parents["n"]
    return list(providers.values())


def public_interest_counts() -> dict[str, int]:
    counts = PublicInterest.objects.aggregate(
        new=Count("pk", filter=Q(status=PublicInterest.Status.NEW)),
        taken_up=Count("pk", filter=Q(status=PublicInterest.Status.TAKEN_UP)),
    )
    return counts
