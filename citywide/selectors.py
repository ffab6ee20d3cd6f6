"""Reads of the city-wide view scoped to the user: a provider's staff see only the children their
own provider took in (another provider's child is a 404)."""

import uuid

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import Http404

from coordination.models import Participant
from partnership.models import Role


def participants_to_evaluate_for(user: User) -> QuerySet[Participant]:
    membership = getattr(user, "membership", None)
    if membership is None or membership.role not in (Role.GROUP_LEADER, Role.OPERATIONS_MANAGER):
        return Participant.objects.none()
    return (
        Participant.objects.filter(
            group__agreement__provider_id=membership.organisation_id, removed_at__isnull=True, purged_at__isnull=True
        )
        .select_related("group")
        .order_by("group__starts_on", "group_id", "created_at", "pk")
    )


def get_participant_for(user: User, public_id: uuid.UUID | str) -> Participant:
    try:
        return participants_to_evaluate_for(user).get(public_id=public_id)
    except (Participant.DoesNotExist, ValueError) as error:
        raise Http404 from error
