"""Reads of the city-wide view scoped to the user: a provider's staff see only the children their
own provider took in (another provider's child is a 404)."""

import hashlib
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import get_language

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


def kept_for_the_city(kind: str, build: Callable[[], str], **parts: object) -> str:
    """What `build()` returns, kept CITYWIDE_CACHE_SECONDS under the kind, the parts and the
    language: the city's aggregates read every row of the city, and are the same for every
    coordinator who asks. With 0 seconds, built on every request."""
    seconds = settings.CITYWIDE_CACHE_SECONDS
    if not seconds:
        return build()
    described = repr(sorted(parts.items())) + (get_language() or "sv")
    key = f"citywide:{kind}:{hashlib.sha256(described.encode()).hexdigest()}"
    kept = cache.get(key)
    if isinstance(kept, str):
        return kept
    value = build()
    cache.set(key, value, seconds)
    return value
