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
and the foster family's contacts too; they have their own rule at the end of the purge section.
"""

import datetime
import logging
from collections.abc import Callable, Iterator
from functools import partial

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from consent.models import AccessLogEntry, ConcernReport, GuardianConsent
from consent.services import access_log_record

from .models import (
    ENDED_STATUSES,
    ChildIdentity,
    Guardian,
    InterestRegistration,
    InterestRegistrationPurge,
    PurgeRecord,
    PurgeRule,
    Referral,
    ReferralTransition,
    RetentionChoice,
    ReturnDossier,
)

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


def purge_due_on(referral: Referral) -> datetime.date | None:
    """The day the referral's data becomes due for purging; None while the referral is active."""
    if referral.ended_at is None:
        return None
    ended_on = timezone.localdate(referral.ended_at)
    return ended_on + datetime.timedelta(days=settings.PURGE_GRACE_DAYS)


def return_pending(referral: Referral) -> bool:
    """Bris chose to return the data and the district has not received it yet: the purge waits."""
    if referral.retention_choice != RetentionChoice.RETURN:
        return False
    dossier = ReturnDossier.objects.filter(referral=referral).first()
    return dossier is None or dossier.received_at is None


# --- Rows that hang off the child in the groups app -------------------------------------------


def group_rows_for(referral: Referral) -> Iterator[tuple[type[models.Model], QuerySet]]:
    """Every groups model with rows about this child, and those rows.

    The groups app grows alongside this code (visits, attendance, evaluations), so it is read
    defensively: any groups model with a foreign key to the referral, or to one of its
    placements, counts as data about the child. A missing app or model simply yields nothing.
    """
    try:
        group_models = list(apps.get_app_config("groups").get_models())
    except LookupError:
        return
    try:
        placement_model = apps.get_model("groups", "Placement")
    except LookupError:
        placement_model = None
    for model in group_models:
        conditions = models.Q()
        for field in model._meta.concrete_fields:
            if not field.is_relation or field.related_model is None:
                continue
            if field.related_model is Referral:
                conditions |= models.Q(**{field.name: referral})
            elif placement_model is not None and field.related_model is placement_model:
                conditions |= models.Q(**{f"{field.name}__referral": referral})
        if conditions:
            yield model, model._default_manager.filter(conditions)


def _fields_of(model, kind) -> list[str]:
    return [field.name for field in model._meta.concrete_fields if isinstance(field, kind)]


# --- The purge steps, in order; each adds to `counts` and to `files` ---------------------------
# Kept as separate steps so that the crash test can fail one halfway and prove the rollback.

PurgeStep = Callable[[Referral, dict, list], None]


def _collect_files(referral: Referral, counts: dict, files: list) -> None:
    names = [
        name for name in GuardianConsent.objects.filter(referral=referral).values_list("document", flat=True) if name
    ]
    dossier = ReturnDossier.objects.filter(referral=referral).exclude(document="").first()
    if dossier is not None:
        names.append(dossier.document.name)
        ReturnDossier.objects.filter(pk=dossier.pk).update(document="")
    for model, rows in group_rows_for(referral):
        for field in _fields_of(model, models.FileField):
            names.extend(name for name in rows.values_list(field, flat=True) if name)
            rows.update(**{field: ""})
    counts["files"] = len(names)
    files.extend(names)


def _delete_guardians_and_consents(referral: Referral, counts: dict, files: list) -> None:
    counts["consents"] = GuardianConsent.objects.filter(referral=referral).delete()[0]
    counts["guardians"] = Guardian.objects.filter(referral=referral).delete()[0]


def _delete_child_identity(referral: Referral, counts: dict, files: list) -> None:
    # Names, the encrypted identity number, birth date, contacts and the foster home.
    counts["child_identity"] = ChildIdentity.objects.filter(referral=referral).delete()[0]
    counts["interest_registrations"] = InterestRegistration.objects.filter(referral=referral).delete()[0]


def _clear_free_text(referral: Referral, counts: dict, files: list) -> None:
    # Transition reasons and concern justifications may name the child; the statuses, dates and
    # the fact that a concern was reported (with its legal reference) stay.
    counts["transition_reasons"] = (
        ReferralTransition.objects.filter(referral=referral).exclude(reason="").update(reason="")
    )
    counts["concern_reports"] = (
        ConcernReport.objects.filter(referral=referral).exclude(justification="").update(justification="")
    )
    cleared = 0
    for model, rows in group_rows_for(referral):
        text_fields = _fields_of(model, models.TextField)
        if text_fields:
            cleared += rows.update(**dict.fromkeys(text_fields, ""))
    counts["group_records"] = cleared


def _unlink_evaluations(referral: Referral, counts: dict, files: list) -> None:
    # Evaluation answers stay as anonymous statistics tied to group, format, age band and
    # district; the link to the child and any free text go (IOP 4.2, issue 6).
    from partnership.evaluation import evaluation_unlink_child

    counts["evaluation_answer_sets"] = evaluation_unlink_child(referral)


PURGE_STEPS: list[PurgeStep] = [
    _collect_files,
    _delete_guardians_and_consents,
    _delete_child_identity,
    _clear_free_text,
    _unlink_evaluations,
]


@transaction.atomic
def referral_purge(*, referral: Referral, by, rule: str) -> PurgeRecord:
    """Purge one child's data. Safe to run twice: the second run only finishes file deletion."""
    # The row lock is the claim: a concurrent run waits here, then sees purged_at and stops.
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.purged_at is not None:
        record = PurgeRecord.objects.get(referral=referral)
        if record.files_deleted_at is None:
            transaction.on_commit(partial(purge_files_delete, record_id=record.pk))
        return record
    if referral.status not in ENDED_STATUSES:
        raise ValidationError(_("Bara avslutade anmälningar kan gallras."), code="active")
    due_on = purge_due_on(referral)
    if rule == PurgeRule.GRACE_PERIOD and (due_on is None or due_on > timezone.localdate()):
        raise ValidationError(_("Gallringsfristen har inte löpt ut än."), code="not_due")
    if return_pending(referral):
        raise ValidationError(
            _("Uppgifterna ska återföras och stadsdelen har inte tagit emot dem än."), code="return_pending"
        )

    counts: dict[str, int] = {}
    files: list[str] = []
    for step in PURGE_STEPS:
        step(referral, counts, files)

    now = timezone.now()
    returned = ReturnDossier.objects.filter(referral=referral, received_at__isnull=False).exists()
    Referral.objects.filter(pk=referral.pk).update(
        **dict.fromkeys(REFERRAL_FREE_TEXT, ""),
        identity_hash=None,
        purged_at=now,
        retention_choice=RetentionChoice.RETURN if returned else RetentionChoice.PURGE,
        updated_at=now,
    )
    record = PurgeRecord.objects.create(
        referral=referral,
        pseudonym=referral.pseudonym,
        rule=rule,
        grace_days=settings.PURGE_GRACE_DAYS,
        purged_by=by,
        purged_at=now,
        returned=returned,
        counts=counts,
        pending_files=files,
    )
    transaction.on_commit(partial(purge_files_delete, record_id=record.pk))
    logger.info("Purged referral %s by rule %s", referral.pseudonym, rule)
    return record


def purge_files_delete(*, record_id: int) -> None:
    """Delete the purged files from storage; a rerun picks up whatever a crash left."""
    with transaction.atomic():
        record = PurgeRecord.objects.select_for_update().get(pk=record_id)
        if record.files_deleted_at is not None:
            return
        for name in record.pending_files:
            default_storage.delete(name)  # deleting a missing file is not an error
        record.pending_files = []
        record.files_deleted_at = timezone.now()
        record.save(update_fields=["pending_files", "files_deleted_at", "updated_at"])


# --- Interest registrations that never became a referral (IOP 2.3) ----------------------------
# One that became a referral goes when the referral is purged (_delete_child_identity) and is
# never touched here. One the district rejected is purged PURGE_GRACE_DAYS after the decision,
# like an ended referral; one the district never decided lapses INTEREST_REGISTRATION_LAPSE_DAYS
# after Bris recorded it, so a forgotten registration does not keep a family's contacts forever.
# A confirmed one whose referral is gone (the link is SET_NULL) counts as decided.
# The rule is written twice, for one row and as a database filter; keep the two together.

INTEREST_DECIDED = [InterestRegistration.Status.REJECTED, InterestRegistration.Status.CONFIRMED]


def _interest_registration_clock(registration: InterestRegistration) -> tuple[datetime.datetime, int]:
    """When the registration's retention period started, and how many days it runs."""
    if registration.status == InterestRegistration.Status.PENDING:
        return registration.created_at, settings.INTEREST_REGISTRATION_LAPSE_DAYS
    # The decision service always sets decided_at; a row without it counts from its registration
    # rather than never.
    return registration.decided_at or registration.created_at, settings.PURGE_GRACE_DAYS


def interest_registration_due_on(registration: InterestRegistration) -> datetime.date | None:
    """The day the registration becomes due for purging; None when it became a referral."""
    if registration.referral_id is not None:
        return None
    started_at, days = _interest_registration_clock(registration)
    return timezone.localdate(started_at) + datetime.timedelta(days=days)


def interest_registrations_due_condition(on: datetime.date) -> Q:
    """interest_registration_due_on(registration) <= on, as a filter, counted in local days."""

    def started_before(days: int) -> datetime.datetime:
        # Due on `on` when the period started before the first local day that is not due yet.
        first_day_not_due = on - datetime.timedelta(days=days) + datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(first_day_not_due, datetime.time.min))

    lapsed = Q(
        status=InterestRegistration.Status.PENDING,
        created_at__lt=started_before(settings.INTEREST_REGISTRATION_LAPSE_DAYS),
    )
    decided_before = started_before(settings.PURGE_GRACE_DAYS)
    decided = Q(status__in=INTEREST_DECIDED) & (
        Q(decided_at__lt=decided_before) | Q(decided_at__isnull=True, created_at__lt=decided_before)
    )
    return Q(referral__isnull=True) & (lapsed | decided)


@transaction.atomic
def interest_registrations_purge_due(*, on: datetime.date, by=None) -> int:
    """Purge every interest registration due on `on`, leaving an InterestRegistrationPurge without
    personal data for each. One transaction: all of them or none. Returns how many were purged;
    a rerun finds nothing more."""
    from .selectors import interest_registrations_purge_due as due_on

    # The row locks are the claim: a concurrent run skips what this one holds, and a district
    # confirming a registration meanwhile either commits first (then it is no longer due) or
    # finds the row gone and rolls back.
    registrations = list(due_on(on=on).select_for_update(skip_locked=True).order_by("pk"))
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
    from weasyprint import HTML

    referral = (
        Referral.objects.select_related("district", "agreement", "child")
        .prefetch_related("guardians__consents", "transitions__by", "concern_reports")
        .get(pk=referral.pk)
    )
    group_sections = []
    for model, rows in group_rows_for(referral):
        fields = [
            field
            for field in model._meta.concrete_fields
            if not field.primary_key and field.name not in ("created_at", "updated_at", "public_id")
        ]
        records = [
            [(field.verbose_name, _display(row, field)) for field in fields]
            for row in rows.select_related(*[field.name for field in fields if field.is_relation])
        ]
        if records:
            group_sections.append({"title": model._meta.verbose_name_plural, "records": records})
    html = render_to_string(
        "referrals/pdf/return_dossier.html",
        {
            "referral": referral,
            "child": getattr(referral, "child", None),
            "guardians": list(referral.guardians.all()),
            "transitions": list(referral.transitions.all()),
            "concern_reports": list(referral.concern_reports.all()),
            "group_sections": group_sections,
            "created_on": created_on,
        },
    )
    return HTML(string=html).write_pdf()


def _display(row, field) -> str:
    if field.choices:
        return getattr(row, f"get_{field.name}_display")()
    value = getattr(row, field.name)
    if value is None or value == "":
        return "–"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


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
        default_storage.delete(name)
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
