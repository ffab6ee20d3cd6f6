"""Change history: one mechanism for who changed what, when and why (issue 11).

Every state change is kept as a django-auditlog `LogEntry`, written in the same transaction as the
change by auditlog's save signals. This module is the project's whole use of auditlog:

- `register(Model, fields=[...])`, next to each model: which fields' changes are history. Only
  state fields are named, never free text or identity, so a change's `changes` holds statuses,
  dates and numbers that survive purging; `object_repr` is the model's `__str__` (a referral's is
  its pseudonym).
- The actor: a service names the person acting with `@records_actor("by")` (its keyword argument),
  so a change made from a request, a Celery task or a management command carries the same actor;
  `by=None` is a change made by a rule, shown as "Automatiskt". Requests set the signed-in user as
  the default (`HistoryActorMiddleware`), for changes made outside a service (the admin).
  auditlog's own `set_actor` is not used: it does not nest (leaving an inner `set_actor` leaves the
  outer one without an actor), and a service runs inside a request that already has one.
- A reason: `with reason(text): obj.save(...)` keeps the text in the entry's `additional_data`;
  `record_change` writes an entry for a change made with `QuerySet.update` (no signal).
- Reading: `entries_for(Model, ids)` reads the history of a set of objects in one query.
- Purging: `reasons_clear(Model, ids)` removes the free text from the history of purged children,
  set-based; the statuses and times stay as the anonymous record.

Kept apart, on purpose: the access log (`AccessLogEntry`, append-only, who *read* a child's data,
not a change) and the purge proofs (`PurgeRecord`, `InterestRegistrationPurge`: they outlive the
data and hold only counts). Finance keeps its own log (`FinanceAuditEntry`) for now (issue 12).
"""

import functools
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone

from .setbased import AmongIds, update_returning

REASON = "reason"


@dataclass(frozen=True)
class _Acting:
    by: Any  # a user, or None for a change made by a rule


_acting: ContextVar[_Acting | None] = ContextVar("history_acting", default=None)
_reason: ContextVar[str] = ContextVar("history_reason", default="")


def register(model: type[models.Model], *, fields: list[str]) -> None:
    """Keep the history of these fields of the model (a change of any other field is not kept)."""
    auditlog.register(model, include_fields=fields, m2m_fields=set())


@contextmanager
def acting(by):
    """Changes made inside are made by `by` (None: by a rule, no person). Nests."""
    token = _acting.set(_Acting(by))
    try:
        yield
    finally:
        _acting.reset(token)


_P = ParamSpec("_P")
_R = TypeVar("_R")


def records_actor(argument: str = "by") -> Callable[[Callable[_P, _R]], Callable[_P, _R]]:
    """A service's changes are made by the user in its keyword argument `argument`."""

    def decorate(service: Callable[_P, _R]) -> Callable[_P, _R]:
        @functools.wraps(service)
        def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            with acting(kwargs.get(argument)):
                return service(*args, **kwargs)

        return wrapper

    return decorate


@contextmanager
def reason(text: str):
    """The changes saved inside keep this reason (free text, cleared when a child is purged)."""
    token = _reason.set(text.strip())
    try:
        yield
    finally:
        _reason.reset(token)


def _actor_now():
    acting_now = _acting.get()
    if acting_now is None or not getattr(acting_now.by, "is_authenticated", False):
        return None
    return acting_now.by


@receiver(pre_save, sender=LogEntry, dispatch_uid="partnership.history.stamp")
def _stamp(sender, instance: LogEntry, raw: bool = False, **kwargs) -> None:
    """Every entry auditlog writes gets the actor and the reason of the moment."""
    if raw or instance.pk is not None:
        return
    if instance.actor_id is None:
        actor = _actor_now()
        if actor is not None:
            instance.actor = actor
    text = _reason.get()
    if text:
        instance.additional_data = {**(instance.additional_data or {}), REASON: text}


def record_change(obj: models.Model, *, changes: dict[str, list], reason_text: str = "") -> LogEntry:
    """An entry for a change saved without a signal (`QuerySet.update`); `changes` maps each field to
    [old, new]. The actor is the one acting now."""
    with reason(reason_text):
        return LogEntry.objects.log_create(obj, action=LogEntry.Action.UPDATE, changes=changes, force_log=True)


def entries_build(
    model: type[models.Model],
    *,
    object_id: int,
    object_repr: str,
    changes: dict[str, list],
    by=None,
    reason_text: str = "",
    at=None,
    action: int = LogEntry.Action.UPDATE,
) -> LogEntry:
    """An unsaved entry, for `LogEntry.objects.bulk_create` where many objects change at once."""
    return LogEntry(
        content_type=ContentType.objects.get_for_model(model),
        object_pk=str(object_id),
        object_id=object_id,
        object_repr=object_repr,
        action=action,
        changes=changes,
        actor=by if getattr(by, "is_authenticated", False) else None,
        additional_data={REASON: reason_text} if reason_text else None,
        timestamp=at or timezone.now(),
    )


def record_changes(model: type[models.Model], objects: Iterable[models.Model], *, changes: dict[str, list]) -> None:
    """The same change of many objects (a set-based update), by the one acting now, in one INSERT."""
    at = timezone.now()
    by = _actor_now()
    LogEntry.objects.bulk_create(
        entries_build(model, object_id=obj.pk, object_repr=str(obj), changes=changes, by=by, at=at) for obj in objects
    )


# --- Reading -----------------------------------------------------------------------------------


def entries_for(model: type[models.Model], object_ids: Iterable[int]) -> models.QuerySet[LogEntry]:
    """The history of these objects, oldest first, with the actor and the actor's membership (to
    tell whose organisation wrote a reason): one query."""
    return (
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model), object_id__in=list(object_ids))
        .select_related("actor__membership")
        .order_by("object_id", "timestamp", "pk")
    )


def change_of(entry: LogEntry, field: str) -> tuple[Any, Any] | None:
    """(old, new) of the field in this entry, or None if the entry did not change it."""
    pair = (entry.changes or {}).get(field)
    if pair is None:
        return None
    old, new = pair
    return old, new


def reason_of(entry: LogEntry) -> str:
    return (entry.additional_data or {}).get(REASON, "")


# --- Purging -----------------------------------------------------------------------------------


def reasons_clear(model: type[models.Model], object_ids: list[int]) -> dict[int, int]:
    """Remove the free text from these objects' history in one UPDATE, which also returns how
    many entries of each object had some."""
    with_reason = LogEntry.objects.filter(
        AmongIds("object_id", object_ids),
        content_type=ContentType.objects.get_for_model(model),
        additional_data__has_key=REASON,
    )
    cleared = update_returning(with_reason, {"additional_data": None}, "object_id")
    return dict(Counter(object_id for (object_id,) in cleared))
