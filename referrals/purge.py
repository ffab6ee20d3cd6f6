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
import logging
from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnership.models import AccessLogEntry
from partnership.pdf import render_pdf
from partnership.services import access_log_record

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
    ReferralTransition,
    RetentionChoice,
    ReturnDossier,
)
from .retention import purge_due_on

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


# --- The purge steps, in order; each adds to `counts` and to `files` ---------------------------
# Kept as separate steps so that the crash test can fail one halfway and prove the rollback.
# The apps above this one (consents, group records, evaluations) keep data about the child too;
# each adds its own steps with purge_step_register (in its receivers.py), and they run first.

PurgeStep = Callable[[Referral, dict, list], None]


def _collect_dossier_file(referral: Referral, counts: dict, files: list) -> None:
    dossier = ReturnDossier.objects.filter(referral=referral).exclude(document="").first()
    if dossier is not None:
        files.append(dossier.document.name)
        ReturnDossier.objects.filter(pk=dossier.pk).update(document="")
    counts["files"] = len(files)


def _delete_guardians(referral: Referral, counts: dict, files: list) -> None:
    counts["guardians"] = Guardian.objects.filter(referral=referral).delete()[0]


def _delete_child_identity(referral: Referral, counts: dict, files: list) -> None:
    # Names, the encrypted identity number, birth date, contacts and the foster home.
    counts["child_identity"] = ChildIdentity.objects.filter(referral=referral).delete()[0]
    counts["interest_registrations"] = InterestRegistration.objects.filter(referral=referral).delete()[0]


def _clear_transition_reasons(referral: Referral, counts: dict, files: list) -> None:
    # Transition reasons may name the child; the statuses and dates stay.
    counts["transition_reasons"] = (
        ReferralTransition.objects.filter(referral=referral).exclude(reason="").update(reason="")
    )


PURGE_STEPS: list[PurgeStep] = [
    _collect_dossier_file,
    _delete_guardians,
    _delete_child_identity,
    _clear_transition_reasons,
]
_REGISTERED_STEPS: list[PurgeStep] = []


def purge_step_register(step: PurgeStep) -> None:
    """An app above this one purges its own data about the child in the same transaction: its
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
        .prefetch_related("guardians__consents", "transitions__by", "concern_reports")
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
            "transitions": list(referral.transitions.all()),
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
