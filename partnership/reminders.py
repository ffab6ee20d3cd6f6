"""Reminders derived from the database by periodic sweeps (Celery beat, config/celery.py).

Each kind of reminder is one sweep function, registered with @reminder_kind, that returns what
should be reminded about today: who, about which object, by which date. The framework records a
Reminder per (kind, object, recipient) once, so reruns and overlapping sweeps never duplicate,
then requests background jobs (partnership/jobs.py) that mail what is still unsent, up to
MAIL_BATCH_SIZE reminders a job. Apps keep their sweeps in their own `<app>/reminders.py`, found by
autodiscovery; a new kind (visits, meetings, payments) is one function there.

Recording is set-based, for national scale: one read of the kind's open reminders, bulk inserts
that skip what the unique constraint holds already (and count what they inserted), and one update
that closes what is no longer due, whatever the number of reminders.

Summaries are shown in lists and mailed: pseudonyms, districts and dates only, never a name or
an identity number.
"""

import datetime
import itertools
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import connection, models, transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .jobs import job_handler, job_request_batches, mail_batch_send
from .models import Agreement, BackgroundJob, Membership, Reminder, Role

REMINDER_MAILS_JOB = "partnership.reminder_mails"
# Rows per query when a set of keys is looked up or updated by id (well below any parameter limit).
CHUNK = 5000


@dataclass(frozen=True)
class ReminderSubject:
    """What a reminder is about, by model and primary key: a sweep that reads thousands of rows as
    values names its subjects this way instead of building a model instance for each."""

    model: type[models.Model]
    pk: int


@dataclass(frozen=True)
class DueReminder:
    recipient_id: int
    subject: models.Model | ReminderSubject
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


def link_by_public_id(viewname: str) -> Callable[[uuid.UUID], str]:
    """reverse(viewname, kwargs={"public_id": ...}), resolved once per sweep rather than once per
    reminder (a sweep over a backlog makes tens of thousands of links)."""
    marker = uuid.UUID(int=0)
    before, after = reverse(viewname, kwargs={"public_id": marker}).split(str(marker))
    return lambda public_id: f"{before}{public_id}{after}"


def members(*, role: str, **where) -> list[int]:
    """Active users with this role (and organisation or district), as user ids."""
    return list(Membership.objects.filter(role=role, user__is_active=True, **where).values_list("user_id", flat=True))


# --- The framework's writes -----------------------------------------------------------------------


def _chunks(values: Iterable, size: int = CHUNK):
    values = iter(values)
    while chunk := list(itertools.islice(values, size)):
        yield chunk


@transaction.atomic
def reminders_record(*, kind: str, due: Iterable[DueReminder]) -> int:
    """Record each due reminder once; returns how many were new. Open reminders of this kind that
    are no longer due are closed.

    The unique constraint is the guarantee: a reminder recorded before (open, or since marked done,
    which stays done) or by a concurrent sweep is not inserted again, and is not counted as new.
    """
    due = list(due)
    # One content type per model, not per reminder (ContentType caches them after the first).
    content_types = ContentType.objects.get_for_models(*{_model_of(item.subject) for item in due})
    type_ids = {model: content_type.pk for model, content_type in content_types.items()}
    wanted: dict[tuple, DueReminder] = {}
    for item in due:
        wanted.setdefault((type_ids[_model_of(item.subject)], item.subject.pk, item.recipient_id, item.period), item)

    open_reminders = {
        (subject_type_id, subject_id, recipient_id, period): pk
        for pk, subject_type_id, subject_id, recipient_id, period in Reminder.objects.filter(
            kind=kind, done_at__isnull=True
        ).values_list("pk", "subject_type_id", "subject_id", "recipient_id", "period")
    }
    # Due and not open: new, or recorded before and since marked done (which stays done).
    created = _insert(kind, [(key, item) for key, item in wanted.items() if key not in open_reminders])
    # What is no longer due (consent came, data purged, agreement renewed) closes by itself.
    now = timezone.now()
    for resolved in _chunks(pk for key, pk in open_reminders.items() if key not in wanted):
        Reminder.objects.filter(pk__in=resolved, done_at__isnull=True).update(done_at=now, updated_at=now)
    return created


def _model_of(subject: models.Model | ReminderSubject) -> type[models.Model]:
    return subject.model if isinstance(subject, ReminderSubject) else type(subject)


def _insert(kind: str, candidates: list[tuple[tuple, DueReminder]]) -> int:
    """Insert the reminders not recorded yet; returns how many. A row the unique constraint holds
    already (recorded and marked done, or inserted by a concurrent sweep) is left alone."""
    if not candidates:
        return 0
    if connection.vendor != "postgresql":
        return _insert_portable(kind, candidates)
    # PostgreSQL (production): the same rows as bulk_create would write, as column arrays, and the
    # database counts what it inserted. A first run over a backlog inserts tens of thousands of
    # reminders; preparing each value of each model instance costs several seconds, the arrays a
    # fraction of that (bench/reminders.py).
    now = timezone.now()
    table = Reminder._meta.db_table
    columns = ["recipient_id", "subject_type_id", "subject_id", "summary", "link", "due_on", "period"]
    inserted = 0
    for chunk in _chunks(candidates):
        values = [
            [item.recipient_id for _key, item in chunk],
            [key[0] for key, _item in chunk],
            [key[1] for key, _item in chunk],
            [item.summary[:300] for _key, item in chunk],
            [item.link[:300] for _key, item in chunk],
            [item.due_on for _key, item in chunk],
            [item.period for _key, item in chunk],
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {table} (created_at, updated_at, public_id, kind, {", ".join(columns)})
                SELECT %s, %s, gen_random_uuid(), %s, row.*
                FROM unnest(%s::integer[], %s::integer[], %s::bigint[], %s::text[], %s::text[], %s::date[], %s::text[])
                    AS row
                ON CONFLICT DO NOTHING
                """,  # noqa: S608 # nosec B608
                [now, now, kind, *values],
            )
            inserted += cursor.rowcount
    return inserted


def _insert_portable(kind: str, candidates: list[tuple[tuple, DueReminder]]) -> int:
    """The same on other databases (SQLite in development), where a bulk insert that ignores
    conflicts cannot count what it inserted: the rows the constraint holds are looked up first."""
    subject_ids_by_type: dict[int, set[int]] = {}
    for (subject_type_id, subject_id, *_rest), _item in candidates:
        subject_ids_by_type.setdefault(subject_type_id, set()).add(subject_id)
    existing: set[tuple] = set()
    for subject_type_id, subject_ids in subject_ids_by_type.items():
        for chunk in _chunks(sorted(subject_ids)):  # the unique constraint's index answers these
            existing.update(
                Reminder.objects.filter(kind=kind, subject_type_id=subject_type_id, subject_id__in=chunk).values_list(
                    "subject_type_id", "subject_id", "recipient_id", "period"
                )
            )
    new = [(key, item) for key, item in candidates if key not in existing]
    Reminder.objects.bulk_create(
        [
            Reminder(
                recipient_id=item.recipient_id,
                kind=kind,
                subject_type_id=key[0],
                subject_id=key[1],
                period=item.period,
                summary=item.summary[:300],
                link=item.link[:300],
                due_on=item.due_on,
            )
            for key, item in new
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    return len(new)


def reminders_sweep_all(*, today: datetime.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    return {name: reminders_record(kind=name, due=kind.sweep(today)) for name, kind in reminder_kinds().items()}


# --- Mail ----------------------------------------------------------------------------------------


def reminders_unsent():
    """What is mailed: recorded, not yet sent, still open."""
    return (
        Reminder.objects.filter(sent_at__isnull=True, done_at__isnull=True).order_by("pk").values_list("pk", flat=True)
    )


def reminder_mails_request() -> list[BackgroundJob]:
    """One background job per batch of unsent reminders (rows an active job holds left out)."""
    return job_request_batches(kind=REMINDER_MAILS_JOB, ids=reminders_unsent())


def reminder_message(reminder: Reminder, *, connection=None) -> EmailMultiAlternatives:
    context = {"reminder": reminder, "kind": kind_label(reminder.kind), "recipient": reminder.recipient}
    message = EmailMultiAlternatives(
        subject=render_to_string("emails/reminder-subject.txt", context).strip(),
        body=render_to_string("emails/reminder-body.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[reminder.recipient.email],
        connection=connection,
    )
    message.attach_alternative(render_to_string("emails/reminder-body.html", context), "text/html")
    return message


def reminder_send(reminder_id: int, *, connection=None) -> bool:
    """Mail one reminder once. The claim and the mail share a transaction: a failed send rolls the
    claim back and the next run tries again. A reminder closed in the meantime is not mailed."""
    with transaction.atomic():
        claimed = Reminder.objects.filter(pk=reminder_id, sent_at__isnull=True, done_at__isnull=True).update(
            sent_at=timezone.now()
        )
        if not claimed:
            return False
        reminder = Reminder.objects.select_related("recipient").get(pk=reminder_id)
        if not reminder.recipient.email:
            return False  # shown in the app only
        reminder_message(reminder, connection=connection).send()
        return True


@job_handler(REMINDER_MAILS_JOB, max_attempts=5, retry_on=(OSError,))
def reminder_mails_send(job) -> dict:
    # OSError covers smtplib's errors and a refused connection: the batch goes back to the queue.
    return mail_batch_send(job, reminder_send)


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


def members_by_district(role: str) -> dict[int, list[int]]:
    """Active users with this role, as user ids per district: one query for a whole sweep."""
    by_district: dict[int, list[int]] = {}
    for district_id, user_id in Membership.objects.filter(
        role=role, user__is_active=True, district__isnull=False
    ).values_list("district_id", "user_id"):
        by_district.setdefault(district_id, []).append(user_id)
    return by_district


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
