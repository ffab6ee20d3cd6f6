"""Reads of the coordination for signed-in users, always within the user's scope: a provider's
staff their own provider's interests, groups and people; a district's social workers the
interests about their district's children that the family let them see; the coordinator counts,
and the providers the coordinator sets up."""

import uuid
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django_otp.plugins.otp_totp.models import TOTPDevice

from groups.models import STATUSES_WITH_MEETINGS_AHEAD, Audience, GroupStatus, Meeting, SupportGroup
from groups.selectors import groups_visible_to
from partnership.models import Agreement, Membership, Organisation, Role, TargetGroup

from .models import ParentParticipant, Participant, ParticipantAttendance, PublicInterest, StaffInvitation


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


def children_groups_of_provider(user: User, *, keeping: SupportGroup | None = None) -> QuerySet[SupportGroup]:
    """The provider's children's and young people's groups that still have meetings ahead (and
    `keeping`, a choice already made): what a parents' group runs beside, or a parent's child
    attends. The groups of past years are left out; a provider has thousands of them in time."""
    ahead = Q(status__in=STATUSES_WITH_MEETINGS_AHEAD)
    if keeping is not None:
        ahead |= Q(pk=keeping.pk)
    return (
        groups_visible_to(user)
        .filter(ahead, parent__isnull=True)
        .exclude(audience=Audience.PARENTS)
        .order_by("-starts_on", "name")
    )


def participants_of(group: SupportGroup) -> list[Participant]:
    return list(
        group.participants.filter(removed_at__isnull=True).select_related("pre_group_visit").order_by("created_at")
    )


def get_participant_in(group: SupportGroup, public_id: uuid.UUID | str) -> Participant:
    """A child still in the group (not removed, not purged), or 404."""
    try:
        return group.participants.select_related("pre_group_visit").get(
            public_id=public_id, removed_at__isnull=True, purged_at__isnull=True
        )
    except (Participant.DoesNotExist, ValueError) as error:
        raise Http404 from error


def parents_of(group: SupportGroup) -> list[ParentParticipant]:
    return list(group.parents.select_related("accompanies").order_by("created_at"))


def attendance_people(group: SupportGroup) -> tuple[list[Participant], list[ParentParticipant]]:
    """Whose attendance a meeting of the group records: the children still in it, and a parents'
    group's parents, neither purged. Bounded by the group's size (at most max_group_size)."""
    children = list(
        group.participants.filter(removed_at__isnull=True, purged_at__isnull=True).order_by("created_at", "pk")
    )
    parents = list(group.parents.filter(purged_at__isnull=True).order_by("created_at", "pk"))
    return children, parents


def participant_attendance_of(meeting: Meeting) -> dict[str, ParticipantAttendance]:
    """The meeting's records by form prefix: "c<participant id>" or "f<parent id>"."""
    return {
        (f"c{record.participant_id}" if record.participant_id else f"f{record.parent_id}"): record
        for record in ParticipantAttendance.objects.filter(meeting=meeting)
    }


def participant_attendance_sheet(group: SupportGroup) -> dict[tuple[int, str], ParticipantAttendance]:
    """Every record of the group's meetings, by (meeting id, "c<participant id>" or "f<parent id>")."""
    return {
        (record.meeting_id, f"c{record.participant_id}" if record.participant_id else f"f{record.parent_id}"): record
        for record in ParticipantAttendance.objects.filter(meeting__group=group)
    }


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


# --- Providers, for the coordinator who sets them up ---------------------------------------------


def providers_visible_to(user: User) -> QuerySet[Organisation]:
    """Every provider (each organisation but the city's own administrations) for the coordinator,
    by name, with how many arrangements and accounts each has and its target groups: a page of
    them is three queries however many there are. Nobody else: an empty list."""
    membership = getattr(user, "membership", None)
    if membership is None or membership.role != Role.COORDINATOR:
        return Organisation.objects.none()
    return (
        Organisation.objects.exclude(organisation_type=Organisation.Type.CITY)
        .exclude(pk=membership.organisation_id)
        .select_related("district")
        .prefetch_related("target_groups")
        .annotate(
            # distinct: the two joins multiply each other's rows.
            arrangement_count=Count("agreements_as_provider", distinct=True),
            staff_count=Count("memberships", distinct=True),
        )
        .order_by("name", "pk")
    )


def get_provider_for(user: User, public_id: uuid.UUID | str) -> Organisation:
    """The provider, or 404: also for the city's own administration, which is no provider."""
    try:
        return providers_visible_to(user).get(public_id=public_id)
    except (Organisation.DoesNotExist, ValueError) as error:
        raise Http404 from error


def provider_arrangements(organisation: Organisation) -> QuerySet[Agreement]:
    return (
        Agreement.objects.filter(provider=organisation)
        .select_related("target_group", "public_party")
        .order_by("-starts_on", "pk")
    )


def provider_staff(organisation: Organisation) -> QuerySet[Membership]:
    """The provider's accounts, with whether each has an authenticator and its invitation if the
    coordinator invited it (the page says how far each has come)."""
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user", "user__staff_invitation")
        .annotate(has_authenticator=Exists(TOTPDevice.objects.filter(user=OuterRef("user"), confirmed=True)))
        .order_by("role", "user__last_name", "user__first_name", "pk")
    )


def get_invitation_for(user: User, public_id: uuid.UUID | str) -> StaffInvitation:
    """An invitation is the coordinator's to follow up; for anyone else it does not exist."""
    membership = getattr(user, "membership", None)
    if membership is None or membership.role != Role.COORDINATOR:
        raise Http404
    try:
        return StaffInvitation.objects.select_related("user", "organisation").get(public_id=public_id)
    except (StaffInvitation.DoesNotExist, ValueError) as error:
        raise Http404 from error


def provider_target_group_ids(agreement: Agreement) -> set[int]:
    """The target groups a provider's group may be published under: those the coordinator set up
    for the provider, and its agreement's own."""
    ids = set(agreement.provider.target_groups.values_list("pk", flat=True))
    ids.add(agreement.target_group_id)
    return ids


def provider_target_groups(agreement: Agreement) -> QuerySet[TargetGroup]:
    return TargetGroup.objects.filter(pk__in=provider_target_group_ids(agreement)).order_by("name")
