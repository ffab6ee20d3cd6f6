"""Reads for composing groups, always within the user's provider or district."""

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict, cast

from django.contrib.auth.models import User
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from groups.selectors import waiting_list_queryset
from partnership.access import can
from partnership.models import Agreement, Role
from referrals.identity_numbers import age_on
from referrals.models import ACTIVE_STATUSES, Referral
from referrals.selectors import referrals_visible_to

from .districts import distance_km
from .models import ChildRelation, CompositionRequest, DistrictCentre, SuggestedGroup, SuggestedMember

if TYPE_CHECKING:  # django-stubs-ext is a development dependency
    from django_stubs_ext import WithAnnotations

# The longest-waiting children the solver considers in one run: a provider's waiting list for one
# target group is tens of children; the cap keeps a run bounded whatever the list holds.
MAX_CHILDREN = 120


def _provider_id(user: User) -> int | None:
    membership = getattr(user, "membership", None)
    if membership is None or membership.role not in (Role.GROUP_LEADER, Role.OPERATIONS_MANAGER):
        return None
    organisation_id: int = membership.organisation_id
    return organisation_id


def agreements_for_composition(user: User) -> list[Agreement]:
    """The provider's arrangements to compose for: per target group the one in force today, else
    its latest (a provider has a handful of rows here)."""
    provider_id = _provider_id(user)
    if provider_id is None:
        return []
    today = timezone.localdate()
    chosen: dict[int, Agreement] = {}
    for agreement in Agreement.objects.filter(provider_id=provider_id).select_related("target_group"):
        current = chosen.get(agreement.target_group_id)
        in_force = agreement.starts_on <= today <= agreement.ends_on
        if current is None or (in_force and not current.starts_on <= today <= current.ends_on):
            chosen[agreement.target_group_id] = agreement
    return sorted(chosen.values(), key=lambda agreement: agreement.target_group.name)


class _WaitingSince(TypedDict):
    waiting_since: datetime.datetime  # annotated by groups.selectors.waiting_list_queryset()


@dataclass(frozen=True)
class WaitingChild:
    referral: Referral
    rank: int
    age: int
    waited_days: int


def waiting_children(*, user: User, agreement: Agreement, planned_start: datetime.date) -> list[WaitingChild]:
    """The provider's waiting list for one arrangement in its own order (Stockholm's children
    first, the manager's moves, then the waiting time), with each child's age on the planned start."""
    today = timezone.localdate()
    # The waiting list's queryset carries its annotation, which its QuerySet[Referral] type cannot say.
    referrals = cast(
        "QuerySet[WithAnnotations[Referral, _WaitingSince]]",
        waiting_list_queryset(user).filter(agreement=agreement)[:MAX_CHILDREN],
    )
    children = []
    for rank, referral in enumerate(referrals):
        child = getattr(referral, "child", None)
        age = age_on(child.birth_date, planned_start) if child is not None else referral.age_at_planned_start
        children.append(
            WaitingChild(
                referral=referral,
                rank=rank,
                age=age,
                waited_days=(today - timezone.localdate(referral.waiting_since)).days,
            )
        )
    return children


def district_distances(district_ids: Iterable[int]) -> dict[tuple[int, int], int]:
    """Whole kilometres between the centres of every pair of these districts that has centres."""
    centres = {
        centre.district_id: (float(centre.latitude), float(centre.longitude))
        for centre in DistrictCentre.objects.filter(district_id__in=set(district_ids))
    }
    ids = sorted(centres)
    return {(a, b): distance_km(centres[a], centres[b]) for i, a in enumerate(ids) for b in ids[i + 1 :]}


def relations_among(referral_ids: Iterable[int]) -> QuerySet[ChildRelation]:
    ids = list(referral_ids)
    return ChildRelation.objects.filter(first_id__in=ids, second_id__in=ids)


def requests_for(user: User) -> QuerySet[CompositionRequest]:
    provider_id = _provider_id(user)
    if provider_id is None:
        return CompositionRequest.objects.none()
    return CompositionRequest.objects.filter(agreement__provider_id=provider_id).select_related(
        "agreement", "target_group", "requested_by", "job"
    )


def get_request_for(user: User, public_id: uuid.UUID) -> CompositionRequest:
    """The suggestion if the user's provider asked for it; 404 otherwise."""
    try:
        return requests_for(user).get(public_id=public_id)
    except (CompositionRequest.DoesNotExist, ValueError) as error:
        raise Http404 from error


def get_suggested_group_for(user: User, public_id: uuid.UUID) -> SuggestedGroup:
    try:
        return SuggestedGroup.objects.select_related("request__agreement", "request__target_group", "group").get(
            public_id=public_id, request__in=requests_for(user)
        )
    except (SuggestedGroup.DoesNotExist, ValueError) as error:
        raise Http404 from error


@dataclass(frozen=True)
class MemberRow:
    member: SuggestedMember
    show_identity: bool

    @property
    def name(self) -> str:
        referral = self.member.referral
        return referral.child.first_name if self.show_identity else referral.pseudonym


def suggested_groups(*, user: User, request: CompositionRequest) -> list[tuple[SuggestedGroup, list[MemberRow]]]:
    """The suggestion's groups with their children, longest waiting first. A child is shown by
    first name once the consent gate is open (as on the waiting list), else by pseudonym."""
    members = SuggestedMember.objects.select_related("referral__child", "referral__district", "referral__agreement")
    groups = request.groups.prefetch_related(Prefetch("members", queryset=members)).select_related("group")
    return [
        (
            group,
            [
                MemberRow(member=member, show_identity=can(user, "referrals.view_identity", member.referral))
                for member in group.members.all()
            ],
        )
        for group in groups
    ]


def child_relations_for(user: User) -> QuerySet[ChildRelation]:
    """The relations the social worker's district recorded, newest first."""
    membership = getattr(user, "membership", None)
    if membership is None or membership.role != Role.SOCIAL_WORKER:
        return ChildRelation.objects.none()
    return ChildRelation.objects.filter(first__district_id=membership.district_id).select_related(
        "first__child", "second__child"
    )


def relation_candidates(user: User) -> QuerySet[Referral]:
    """The district's children with an active referral, whom a relation can be recorded for."""
    return (
        referrals_visible_to(user)
        .filter(status__in=ACTIVE_STATUSES, purged_at__isnull=True)
        .select_related(None)
        .select_related("child")
        # What a choice shows: hundreds of children a district, each row otherwise read whole
        # (a dozen timestamps, the encrypted identity number decrypted).
        .only("pk", "pseudonym", "district_id", "child__first_name", "child__last_name")
        .order_by("child__first_name", "child__last_name", "pk")
    )
