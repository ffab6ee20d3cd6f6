"""Purge (gallring) or return (återföring) of a child's data when the intervention ends (IOP 2.3).

"Vid avslutad insats eller grupp ska dokumenterade uppgifter gallras eller återföras till
socialtjänsten." A referral's data becomes due PURGE_GRACE_DAYS after Referral.ended_at (set by
referral_transition). Before that Bris may choose to return it: a PDF dossier the district
downloads in the app. Purging then deletes what identifies the child and keeps the Referral row
as the anonymous record (pseudonym, district, age, placement basis, dates) that statistics need.

Purging happens in one transaction, so a worker that dies halfway leaves nothing half-purged and
a rerun does the whole job. Files cannot be rolled back, so they are deleted after the commit and
their (random, meaningless) storage names are kept on the PurgeRecord until they are gone.

Interest registrations (intresseanmälningar) that never became a referral hold a child's first name
and the foster family's contacts too; they have their own rule (referrals/retention.py).
"""

import datetime
import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections, router, transaction
from django.db.models import BooleanField, Case, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from partnership import history
from partnership.models import AccessLogEntry
from partnership.pdf import render_pdf
from partnership.services import access_log_record
from partnership.setbased import AmongIds, delete_returning

from . import selectors
from .models import (
    ENDED_STATUSES,
    ChildIdentity,
    Guardian,
    InterestRegistration,
    InterestRegistrationPurge,
    PurgeRecord,
    PurgeRule,
    Referral,
    RetentionChoice,
    ReturnDossier,
)
from .retention import ended_before

logger = logging.getLogger(__name__)

# Free text on the referral that may describe or name the child. Cleared, never kept.
REFERRAL_FREE_TEXT = [
    "needs_language",
    "needs_accessibility",
    "needs_age_group",
    "needs_other",
    "age_override_reason",
    "case_officer_name",
    "case_officer_phone",
    "case_officer_email",
]


def return_pending(referral: Referral) -> bool:
    """Bris chose to return the data and the district has not received it yet: the purge waits."""
    if referral.retention_choice != RetentionChoice.RETURN:
        return False
    dossier = ReturnDossier.objects.filter(referral=referral).first()
    return dossier is None or dossier.received_at is None


# --- The purge steps, in order ---------------------------------------------------------------------
# Each step purges one kind of data for a whole batch of children, set-based: one statement per
# kind that changes the rows and returns whose they were (partnership/setbased.py), so the number
# of statements does not grow with the batch. It records per child how much it removed
# (`counts[referral_id][name]`) and which stored files go after the commit (`files[referral_id]`).
# Kept as separate steps so that the crash test can fail one halfway and prove the rollback. The
# apps above this one (consents, group records, evaluations) keep data about the child too; each
# adds its own steps with purge_step_register (in its receivers.py), and they run first.

Counts = dict[int, dict[str, int]]
Files = dict[int, list[str]]
PurgeStep = Callable[[list[int], Counts, Files], None]


def purge_counts_add(counts: Counts, name: str, per_referral: Mapping[int, int]) -> None:
    """Record `name` for every child of the batch: how many each had, 0 for the others."""
    for referral_id, child_counts in counts.items():
        child_counts[name] = per_referral.get(referral_id, 0)


def count_per_referral(rows: Iterable[tuple[Any, ...]]) -> dict[int, int]:
    """How many of these rows (from delete_returning or update_returning, the child's id first in
    each) belong to each child."""
    return dict(Counter(row[0] for row in rows))


def _collect_dossier_files(referral_ids: list[int], counts: Counts, files: Files) -> None:
    dossiers = ReturnDossier.objects.filter(AmongIds("referral_id", referral_ids)).exclude(document="")
    stored = list(dossiers.values_list("referral_id", "document"))
    for referral_id, name in stored:
        files[referral_id].append(name)
    if stored:
        dossiers.update(document="")
    purge_counts_add(counts, "files", {referral_id: len(names) for referral_id, names in files.items()})


def _delete_guardians(referral_ids: list[int], counts: Counts, files: Files) -> None:
    guardians = Guardian.objects.filter(AmongIds("referral_id", referral_ids))
    purge_counts_add(counts, "guardians", count_per_referral(delete_returning(guardians, "referral")))


def _delete_child_identity(referral_ids: list[int], counts: Counts, files: Files) -> None:
    # Names, the encrypted identity number, birth date, contacts and the foster home.
    identities = ChildIdentity.objects.filter(AmongIds("referral_id", referral_ids))
    purge_counts_add(counts, "child_identity", count_per_referral(delete_returning(identities, "referral")))
    registrations = InterestRegistration.objects.filter(AmongIds("referral_id", referral_ids))
    purge_counts_add(counts, "interest_registrations", count_per_referral(delete_returning(registrations, "referral")))


def _clear_transition_reasons(referral_ids: list[int], counts: Counts, files: Files) -> None:
    # The reasons in the referral's history (status changes, waiting-list moves) may name the
    # child; the statuses, dates and who made each change stay.
    purge_counts_add(counts, "transition_reasons", history.reasons_clear(Referral, referral_ids))


PURGE_STEPS: list[PurgeStep] = [
    _collect_dossier_files,
    _delete_guardians,
    _delete_child_identity,
    _clear_transition_reasons,
]
_REGISTERED_STEPS: list[PurgeStep] = []


def purge_step_register(step: PurgeStep) -> None:
    """An app above this one purges its own data about the children in the same transaction: its
    steps run before this app's own, in the order the apps register them. Registering the same
    step twice changes nothing."""
    if step in _REGISTERED_STEPS:
        return
    PURGE_STEPS.insert(len(_REGISTERED_STEPS), step)
    _REGISTERED_STEPS.append(step)


# Sections of the return dossier that the apps above this one add (group records, for instance):
# a function of the referral giving (title, records), each record a list of (label, value).
DossierSection = Callable[[Referral], list[tuple[str, list[list[tuple[str, str]]]]]]
DOSSIER_SECTIONS: list[DossierSection] = []


def dossier_section_register(section: DossierSection) -> None:
    if section not in DOSSIER_SECTIONS:
        DOSSIER_SECTIONS.append(section)


# How many children one transaction purges; a backlog goes in batches of this size.
PURGE_BATCH = 2_000


def _decision_rows(referrals: QuerySet[Referral]) -> QuerySet[Any]:
    """What the purge reads of each child it locks: enough to decide, no personal data. Whether
    the grace period has run out is compared in the database (retention.ended_before), which
    spares reading and converting thousands of timestamps."""
    return referrals.annotate(
        due=ExpressionWrapper(Q(ended_at__lt=ended_before(timezone.localdate())), output_field=BooleanField()),
        purged=ExpressionWrapper(Q(purged_at__isnull=False), output_field=BooleanField()),
    ).values_list("pk", "status", "retention_choice", "due", "purged", named=True)


def _refusal(child: Any, rule: str, waiting: set[int]) -> ValidationError | None:
    """Why this child (a row of _decision_rows) may not be purged now, or None."""
    if child.status not in ENDED_STATUSES:
        return ValidationError(_("Bara avslutade anmälningar kan gallras."), code="active")
    if rule == PurgeRule.GRACE_PERIOD and not child.due:
        return ValidationError(_("Gallringsfristen har inte löpt ut än."), code="not_due")
    if child.pk in waiting:
        return ValidationError(
            _("Uppgifterna ska återföras och stadsdelen har inte tagit emot dem än."), code="return_pending"
        )
    return None


@transaction.atomic
def referrals_purge(
    *, referral_ids, by, rule: str, strict: bool = False, skip_locked: bool = False
) -> list[PurgeRecord]:
    """Purge these children's data in one transaction, each child's all or nothing, with a
    PurgeRecord for each; stored files go after the commit. Set-based: the same few statements
    for the whole batch, however many children it holds (at most PURGE_BATCH at a time).

    A child already purged only has its file deletion finished. A child who may not be purged now
    (still active, not due under the rule, a return waiting) is left alone, or with `strict`
    refused with a ValidationError. `skip_locked` leaves children another run holds (the sweep);
    otherwise this waits for them and then finds them purged. Returns the records, old and new.
    """
    # The row locks are the claim: a concurrent run waits here (or skips), then sees purged_at.
    locked = Referral.objects.select_for_update(skip_locked=skip_locked).filter(AmongIds("pk", referral_ids))
    handled = _purge_locked(list(_decision_rows(locked.order_by("pk"))), by=by, rule=rule, strict=strict)
    if not handled:
        return []
    return list(PurgeRecord.objects.filter(AmongIds("referral_id", handled)).order_by("referral_id"))


def _purge_locked(locked: list[Any], *, by, rule: str, strict: bool) -> list[int]:
    """referrals_purge for children this transaction has locked (rows of _decision_rows). Returns
    the ids of those that have a PurgeRecord now, old or new."""
    done = [child.pk for child in locked if child.purged]
    if done:
        unfinished = list(
            PurgeRecord.objects.filter(AmongIds("referral_id", done), files_deleted_at__isnull=True).values_list(
                "pk", flat=True
            )
        )
        if unfinished:
            transaction.on_commit(partial(purge_files_delete_many, record_ids=unfinished))

    candidates = [child for child in locked if not child.purged]
    choosing_return = [child.pk for child in candidates if child.retention_choice == RetentionChoice.RETURN]
    waiting: set[int] = set()
    if choosing_return:
        received = ReturnDossier.objects.filter(AmongIds("referral_id", choosing_return), received_at__isnull=False)
        waiting = set(choosing_return) - set(received.values_list("referral_id", flat=True))
    eligible = []
    for child in candidates:
        refusal = _refusal(child, rule, waiting)
        if refusal is None:
            eligible.append(child.pk)
        elif strict:
            raise refusal
    if eligible:
        _purge_eligible(eligible, by=by, rule=rule)
    return done + eligible


def _purge_eligible(ids: list[int], *, by, rule: str) -> None:
    counts: Counts = {referral_id: {} for referral_id in ids}
    files: Files = {referral_id: [] for referral_id in ids}
    for step in PURGE_STEPS:
        step(ids, counts, files)

    now = timezone.now()
    # A child whose dossier the district received was returned before the purge.
    returned = Exists(ReturnDossier.objects.filter(referral_id=OuterRef("pk"), received_at__isnull=False))
    Referral.objects.filter(AmongIds("pk", ids)).update(
        **dict.fromkeys(REFERRAL_FREE_TEXT, ""),
        identity_hash=None,
        purged_at=now,
        updated_at=now,
        retention_choice=Case(When(returned, then=Value(RetentionChoice.RETURN)), default=Value(RetentionChoice.PURGE)),
    )
    created = _purge_records_insert(ids, counts, files, by=by, rule=rule, now=now)
    with_files = [record_id for record_id, referral_id in created if files[referral_id]]
    if with_files:
        transaction.on_commit(partial(purge_files_delete_many, record_ids=with_files))
    logger.info("Purged %d children's data by rule %s", len(created), rule)


# One INSERT for the whole batch, each child's counts and files in one JSON parameter: building
# thousands of PurgeRecord objects for bulk_create cost more than the purge's own statements.
# Records without files have nothing left to do and are marked done at once.
_RECORDS_INSERT = {
    "postgresql": """
        INSERT INTO referrals_purgerecord (created_at, updated_at, referral_id, pseudonym, rule, grace_days,
                                           purged_by_id, purged_at, returned, counts, pending_files, files_deleted_at)
        SELECT %(now)s, %(now)s, referral.id, referral.pseudonym, %(rule)s, %(grace_days)s,
               %(by)s, %(now)s, referral.retention_choice = %(returned)s, child.value -> 'counts',
               child.value -> 'files', CASE WHEN child.value -> 'files' = '[]'::jsonb THEN %(now)s END
        FROM jsonb_each(%(children)s::jsonb) AS child
        JOIN referrals_referral AS referral ON referral.id = child.key::bigint
        RETURNING id, referral_id
    """,
    "sqlite": """
        INSERT INTO referrals_purgerecord (created_at, updated_at, referral_id, pseudonym, rule, grace_days,
                                           purged_by_id, purged_at, returned, counts, pending_files, files_deleted_at)
        SELECT %(now)s, %(now)s, referral.id, referral.pseudonym, %(rule)s, %(grace_days)s,
               %(by)s, %(now)s, referral.retention_choice = %(returned)s, json_extract(child.value, '$.counts'),
               json_extract(child.value, '$.files'),
               CASE WHEN json_array_length(child.value, '$.files') = 0 THEN %(now)s END
        FROM json_each(%(children)s) AS child
        JOIN referrals_referral AS referral ON referral.id = CAST(child.key AS INTEGER)
        RETURNING id, referral_id
    """,
}


def _purge_records_insert(
    ids: list[int], counts: Counts, files: Files, *, by, rule: str, now: datetime.datetime
) -> list[tuple[int, int]]:
    """A PurgeRecord for each child, after its Referral row is purged (`returned` is read from it).
    Returns (record id, referral id) for each."""
    connection = connections[router.db_for_write(PurgeRecord)]
    children = {str(referral_id): {"counts": counts[referral_id], "files": files[referral_id]} for referral_id in ids}
    params = {
        "now": connection.ops.adapt_datetimefield_value(now),
        "rule": rule,
        "grace_days": settings.PURGE_GRACE_DAYS,
        "by": by.pk if by is not None else None,
        "returned": RetentionChoice.RETURN.value,
        "children": json.dumps(children),
    }
    with connection.cursor() as cursor:
        cursor.execute(_RECORDS_INSERT[connection.vendor], params)
        return cursor.fetchall()


def referral_purge(*, referral: Referral, by, rule: str) -> PurgeRecord:
    """Purge one child's data. Safe to run twice: the second run only finishes file deletion."""
    (record,) = referrals_purge(referral_ids=[referral.pk], by=by, rule=rule, strict=True)
    return record


def purge_due_batch(*, on, by=None) -> int:
    """Purge the next batch of children due on `on` (the sweep's work), oldest first, skipping any
    another run holds. Returns how many it handled; 0 when nothing more is due (or all of it is
    held)."""
    with transaction.atomic():
        # Chosen and locked in one statement, so concurrent sweeps take different children. The
        # order follows the index of referrals awaiting purge (ended_at, id).
        due = selectors.referrals_purge_due(on=on).select_for_update(skip_locked=True, of=("self",))
        locked = list(_decision_rows(due.order_by("ended_at", "pk"))[:PURGE_BATCH])
        return len(_purge_locked(locked, by=by, rule=PurgeRule.GRACE_PERIOD, strict=False))


def purge_files_delete(*, record_id: int) -> None:
    """Delete the purged files from storage; a rerun picks up whatever a crash left."""
    purge_files_delete_many(record_ids=[record_id])


def purge_files_delete_many(*, record_ids: list[int]) -> None:
    """Delete the purged files of these records from storage, then mark them done. Files cannot
    be rolled back with the database, so this runs after the purge's commit; a crash leaves
    records without files_deleted_at, which the next sweep (or rerun) finishes."""
    with transaction.atomic():
        records = list(PurgeRecord.objects.select_for_update().filter(pk__in=record_ids, files_deleted_at__isnull=True))
        for record in records:
            for name in record.pending_files:
                default_storage.delete(name)  # deleting a missing file is not an error
        PurgeRecord.objects.filter(pk__in=[record.pk for record in records]).update(
            pending_files=[], files_deleted_at=timezone.now(), updated_at=timezone.now()
        )


# --- Interest registrations that never became a referral (the rule: referrals/retention.py) ----


@transaction.atomic
def interest_registrations_purge_due(*, on: datetime.date, by=None) -> int:
    """Purge every interest registration due on `on`, leaving an InterestRegistrationPurge without
    personal data for each. One transaction: all of them or none. Returns how many were purged;
    a rerun finds nothing more."""
    # The row locks are the claim: a concurrent run skips what this one holds, and a district
    # confirming a registration meanwhile either commits first (then it is no longer due) or
    # finds the row gone and rolls back.
    registrations = list(
        selectors.interest_registrations_purge_due(on=on).select_for_update(skip_locked=True).order_by("pk")
    )
    if not registrations:
        return 0
    now = timezone.now()
    InterestRegistrationPurge.objects.bulk_create(
        InterestRegistrationPurge(
            agreement_id=registration.agreement_id,
            district_id=registration.district_id,
            status_at_purge=registration.status,
            registered_on=timezone.localdate(registration.created_at),
            decided_on=timezone.localdate(registration.decided_at)
            if registration.decided_at and registration.status != InterestRegistration.Status.PENDING
            else None,
            purged_at=now,
            rule=PurgeRule.LAPSED
            if registration.status == InterestRegistration.Status.PENDING
            else PurgeRule.GRACE_PERIOD,
            purged_by=by,
        )
        for registration in registrations
    )
    InterestRegistration.objects.filter(pk__in=[registration.pk for registration in registrations]).delete()
    logger.info("Purged %d interest registrations that never became referrals", len(registrations))
    return len(registrations)


# --- Return (återföring) ------------------------------------------------------------------------


def return_dossier_pdf(referral: Referral, *, created_on: datetime.date) -> bytes:
    """The dossier: everything Bris documented about the child, for the district's records."""
    referral = (
        Referral.objects.select_related("district", "agreement", "child")
        .prefetch_related("guardians__consents", "concern_reports")
        .get(pk=referral.pk)
    )
    group_sections = [
        {"title": title, "records": records}
        for section in DOSSIER_SECTIONS
        for title, records in section(referral)
        if records
    ]
    return render_pdf(
        "referrals/pdf/return_dossier.html",
        {
            "referral": referral,
            "child": getattr(referral, "child", None),
            "guardians": list(referral.guardians.all()),
            "transitions": selectors.referral_history_in_full(referral),
            "concern_reports": list(referral.concern_reports.all()),
            "group_sections": group_sections,
            "created_on": created_on,
        },
    )


@transaction.atomic
def referral_return(*, referral: Referral, by) -> ReturnDossier:
    """Bris returns the child's data to the placing district instead of only purging it."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.purged_at is not None:
        raise ValidationError(_("Uppgifterna är redan gallrade och kan inte återföras."), code="purged")
    if referral.status not in ENDED_STATUSES:
        raise ValidationError(_("Bara avslutade anmälningar kan återföras."), code="active")
    if ReturnDossier.objects.filter(referral=referral).exists():
        raise ValidationError(_("Uppgifterna är redan återförda."), code="returned")
    today = timezone.localdate()
    dossier = ReturnDossier(referral=referral, district=referral.district, created_by=by)
    dossier.document.save("dossier.pdf", ContentFile(return_dossier_pdf(referral, created_on=today)), save=False)
    # The file is on storage before the row commits; if the transaction fails, delete it again.
    name = dossier.document.name
    try:
        with transaction.atomic():
            dossier.save()
            referral.retention_choice = RetentionChoice.RETURN
            referral.save(update_fields=["retention_choice", "updated_at"])
            access_log_record(
                user=by,
                referral=referral,
                action=AccessLogEntry.Action.EXPORT,
                legal_basis=_("Återföring till socialtjänsten (IOP 2.3)"),
                what=_("Återföringsakt skapad"),
            )
    except Exception:
        default_storage.delete(name)  # type: ignore[arg-type]
        raise
    return dossier


@transaction.atomic
def return_dossier_receive(*, dossier: ReturnDossier, by) -> ReturnDossier:
    """The district's social worker downloads the dossier: the first download is the receipt."""
    claimed = ReturnDossier.objects.filter(pk=dossier.pk, received_at__isnull=True).update(
        received_at=timezone.now(), received_by=by, updated_at=timezone.now()
    )
    dossier.refresh_from_db()
    access_log_record(
        user=by,
        referral=dossier.referral,
        action=AccessLogEntry.Action.EXPORT,
        legal_basis=_("Återföring till socialtjänsten (IOP 2.3)"),
        what=_("Återföringsakt mottagen") if claimed else _("Återföringsakt hämtad igen"),
    )
    return dossier
