"""Reminders derived from the database by periodic sweeps (Celery beat, config/celery.py).

Each kind of reminder is one sweep function, registered with @reminder_kind, that returns what
should be reminded about today: who, about which object, by which date. The framework records a
Reminder per (kind, object, recipient) once, so reruns and overlapping sweeps never duplicate,
then the send task mails what is still unsent. Apps keep their sweeps in their own
`<app>/reminders.py`, found by autodiscovery; a new kind (visits, meetings, payments) is one
function there.

Summaries are shown in lists and mailed: pseudonyms, districts and dates only, never a name or
an identity number.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Agreement, Membership, Reminder, Role


@dataclass(frozen=True)
class DueReminder:
    recipient_id: int
    subject: models.Model
    due_on: datetime.date
    summary: str
    link: str = ""
    # A reminder that recurs about the same object (each term, each year) names its period.
    period: str = ""


@dataclass(frozen=True)
class ReminderKind:
    name: str
    label: str
    sweep: Callable[[datetime.date], Iterable[DueReminder]]


_KINDS: dict[str, ReminderKind] = {}


def reminder_kind(name: str, label):
    """Register a sweep: `def sweep(today) -> Iterable[DueReminder]`."""

    def register(sweep):
        _KINDS[name] = ReminderKind(name=name, label=label, sweep=sweep)
        return sweep

    return register


@cache
def _discover() -> None:
    # Once per process: importing every app's reminders module again costs milliseconds per call,
    # and the reminder page asks for a label per row.
    autodiscover_modules("reminders")


def reminder_kinds() -> dict[str, ReminderKind]:
    _discover()
    return _KINDS


def kind_label(name: str) -> str:
    kind = reminder_kinds().get(name)
    return str(kind.label) if kind else name


def members(*, role: str, **where) -> list[int]:
    """Active users with this role (and organisation or district), as user ids."""
    return list(Membership.objects.filter(role=role, user__is_active=True, **where).values_list("user_id", flat=True))


# --- The framework's writes -----------------------------------------------------------------------


@transaction.atomic
def reminders_record(*, kind: str, due: Iterable[DueReminder]) -> int:
    """Record each due reminder once; returns how many were new.

    The unique constraint is the guarantee (ignore_conflicts makes a concurrent sweep harmless);
    the lookup first only keeps the count honest. Open reminders of this kind that are no longer
    due are closed.
    """
    due = list(due)
    content_types = {type(item.subject): ContentType.objects.get_for_model(item.subject) for item in due}

    def key(item: DueReminder) -> tuple:
        return (content_types[type(item.subject)].pk, item.subject.pk, item.recipient_id, item.period)

    existing = set(
        Reminder.objects.filter(kind=kind).values_list("subject_type_id", "subject_id", "recipient_id", "period")
    )
    new = [
        Reminder(
            recipient_id=item.recipient_id,
            kind=kind,
            subject_type=content_types[type(item.subject)],
            subject_id=item.subject.pk,
            period=item.period,
            summary=item.summary[:300],
            link=item.link[:300],
            due_on=item.due_on,
        )
        for item in due
        if key(item) not in existing
    ]
    Reminder.objects.bulk_create(new, ignore_conflicts=True)
    # What is no longer due (consent came, data purged, agreement renewed) closes by itself.
    still_due = {key(item) for item in due}
    resolved = [
        pk
        for pk, *rest in Reminder.objects.filter(kind=kind, done_at__isnull=True).values_list(
            "pk", "subject_type_id", "subject_id", "recipient_id", "period"
        )
        if tuple(rest) not in still_due
    ]
    Reminder.objects.filter(pk__in=resolved).update(done_at=timezone.now())
    return len(new)


def reminders_sweep_all(*, today: datetime.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    return {name: reminders_record(kind=name, due=kind.sweep(today)) for name, kind in reminder_kinds().items()}


@transaction.atomic
def reminder_mark_done(*, reminder: Reminder, by) -> Reminder:
    if reminder.recipient_id != by.pk:
        raise ValidationError(_("Påminnelsen är inte din."))
    if reminder.done_at is None:
        reminder.done_at = timezone.now()
        reminder.save(update_fields=["done_at", "updated_at"])
    return reminder


# --- Selectors ------------------------------------------------------------------------------------


def reminders_for(user):
    return Reminder.objects.filter(recipient=user)


def get_reminder_for(user, public_id) -> Reminder:
    try:
        return reminders_for(user).get(public_id=public_id)
    except (Reminder.DoesNotExist, ValueError) as error:
        raise Http404 from error


# --- Partnership's own kinds ----------------------------------------------------------------------


@reminder_kind("agreement_ending", gettext_lazy("Överenskommelsen löper ut"))
def agreement_ending(today: datetime.date) -> Iterable[DueReminder]:
    """The agreement period ends within 90 days: time to renew (IOP 7) → coordinator and Bris manager."""
    horizon = today + datetime.timedelta(days=settings.AGREEMENT_ENDING_NOTICE_DAYS)
    for agreement in Agreement.objects.filter(ends_on__gte=today, ends_on__lte=horizon):
        summary = _("Överenskommelsen ”%(name)s” löper ut %(day)s. Dags att ta ställning till förlängning.") % {
            "name": agreement.name,
            "day": f"{agreement.ends_on:%Y-%m-%d}",
        }
        recipients = members(role=Role.COORDINATOR, organisation_id=agreement.public_party_id) + members(
            role=Role.OPERATIONS_MANAGER, organisation_id=agreement.provider_id
        )
        for user_id in recipients:
            yield DueReminder(user_id, agreement, agreement.ends_on, summary)


def active_agreements(today: datetime.date) -> list[Agreement]:
    return list(Agreement.objects.filter(starts_on__lte=today, ends_on__gte=today))


def members_by_organisation(role: str) -> Callable[[int], list[int]]:
    """members(role=..., organisation_id=...) for one sweep, asking the database once per organisation."""
    cache: dict[int, list[int]] = {}

    def of(organisation_id: int) -> list[int]:
        if organisation_id not in cache:
            cache[organisation_id] = members(role=role, organisation_id=organisation_id)
        return cache[organisation_id]

    return of
