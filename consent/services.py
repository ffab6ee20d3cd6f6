"""State changes for consent, concern reports and spot checks of the access log."""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from partnership.jobs import job_request_batches
from partnership.models import AccessLogEntry, BackgroundJob
from partnership.services import access_log_record
from partnership.uploads import stored_document
from referrals.models import Guardian, PlacementBasis, Referral, ReferralStatus
from referrals.services import referral_advance_if_ready, referral_transition

from .models import ConcernReport, GuardianConsent, LogReview
from .rules import consent_record_refusal, consent_withdraw_refusal
from .selectors import duty_to_report_reference_on

CONCERN_REPORT_MAILS_JOB = "consent.concern_report_mails"


@transaction.atomic
def consent_record(
    *,
    referral: Referral,
    guardian: Guardian,
    given_on: datetime.date,
    method: str,
    information_given: str,
    recorded_by: User,
    document: "File[bytes] | None" = None,
) -> GuardianConsent:
    """The district records a guardian's consent; the referral becomes ready once the gate passes."""
    if guardian.referral_id != referral.pk:
        raise ValidationError({"guardian": _("Vårdnadshavaren hör inte till den här anmälan.")})
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": _("Datumet kan inte ligga i framtiden.")})
    refusal = consent_record_refusal(referral)
    if refusal is not None:
        raise ValidationError(refusal)
    if GuardianConsent.objects.filter(guardian=guardian, withdrawn_at__isnull=True).exists():
        raise ValidationError({"guardian": _("%(name)s har redan ett gällande samtycke.") % {"name": guardian.name}})
    consent = GuardianConsent.objects.create(
        referral=referral,
        guardian=guardian,
        given_on=given_on,
        method=method,
        information_given=information_given.strip(),
        document=stored_document(document, stem="samtycke") if document else "",
        recorded_by=recorded_by,
    )
    access_log_record(
        user=recorded_by,
        referral=referral,
        action=AccessLogEntry.Action.CHANGE,
        legal_basis=_("Vårdnadshavares samtycke"),
        what=_("Registrerade samtycke"),
    )
    referral_advance_if_ready(referral=referral, by=recorded_by)
    return consent


@transaction.atomic
def consent_withdraw(*, consent: GuardianConsent, by: User, reason: str) -> GuardianConsent:
    """A guardian withdraws consent: Bris loses sight of the child at once and the referral ends,
    which takes the child out of any future group and makes the data due for purging."""
    if not reason.strip():
        raise ValidationError({"reason": _("Ange orsak till återkallelsen.")})
    if consent.withdrawn_at is not None:
        raise ValidationError(_("Samtycket är redan återkallat."))
    refusal = consent_withdraw_refusal(consent.referral)
    if refusal is not None:
        raise ValidationError(refusal)
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = by
    consent.withdrawal_reason = reason.strip()
    consent.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason", "updated_at"])
    referral = consent.referral
    # Only a custodian's consent holds the gate open (SoL, IOP 2.3); a withdrawn consent from a
    # guardian without custody is recorded but does not end the child's participation.
    if referral.is_active and consent.guardian.has_custody and referral.placement_basis == PlacementBasis.SOL:
        referral_transition(
            referral=referral,
            to_status=ReferralStatus.WITHDRAWN,
            by=by,
            reason=_("Samtycket återkallades: %(reason)s") % {"reason": reason.strip()},
        )
    access_log_record(
        user=by,
        referral=referral,
        action=AccessLogEntry.Action.CHANGE,
        legal_basis=_("Vårdnadshavares samtycke"),
        what=_("Återkallade samtycke"),
    )
    return consent


@transaction.atomic
def concern_report_create(*, referral: Referral, reported_by: User, justification: str) -> ConcernReport:
    """Anmälningsplikt: a concern that a child is being harmed goes to the district whatever the
    consent status, with a written justification, and is logged."""
    if len(justification.strip()) < 20:
        raise ValidationError(
            {"justification": _("Beskriv oron med minst några meningar; motiveringen krävs och loggas.")}
        )
    report = ConcernReport.objects.create(
        referral=referral,
        reported_by=reported_by,
        justification=justification.strip(),
        # The law in force today (SoL 2001:453 until 30 June 2025, SoL 2025:400 from 1 July 2025).
        legal_reference=duty_to_report_reference_on(day=timezone.localdate(), agreement=referral.agreement),
    )
    access_log_record(
        user=reported_by,
        referral=referral,
        action=AccessLogEntry.Action.CONCERN,
        legal_basis=_("Anmälningsplikt, %(reference)s") % {"reference": report.legal_reference},
        what=_("Orosanmälan till stadsdelen"),
    )
    # The mail goes in the background once this commits. If the broker is down the report is saved
    # all the same and the job waits for the job sweep (every minute).
    job_request_batches(kind=CONCERN_REPORT_MAILS_JOB, ids=[report.pk], requested_by=reported_by)
    return report


def concern_report_mails_request() -> list[BackgroundJob]:
    """A mail job for every concern report whose district has not been told yet (none twice)."""
    pending = ConcernReport.objects.filter(district_notified_at__isnull=True).order_by("pk")
    return job_request_batches(kind=CONCERN_REPORT_MAILS_JOB, ids=pending.values_list("pk", flat=True))


@transaction.atomic
def log_review_start(
    *,
    reviewer: User,
    entries: QuerySet[AccessLogEntry],
    sample_size: int,
    filter_description: str,
    period_start: datetime.date,
    period_end: datetime.date,
) -> LogReview:
    """Draw a random sample of the filtered entries for a documented spot check."""
    sample = list(entries.order_by("?").values_list("pk", flat=True)[:sample_size])
    if not sample:
        raise ValidationError(_("Urvalet innehåller inga loggposter."))
    review = LogReview.objects.create(
        reviewer=reviewer,
        period_start=period_start,
        period_end=period_end,
        filter_description=filter_description[:300],
    )
    review.sample.set(sample)
    return review


@transaction.atomic
def log_review_complete(*, review: LogReview, outcome: str) -> LogReview:
    if review.completed_at is not None:
        raise ValidationError(_("Kontrollen är redan avslutad."))
    if not outcome.strip():
        raise ValidationError({"outcome": _("Beskriv resultatet av kontrollen.")})
    review.outcome = outcome.strip()
    review.completed_at = timezone.now()
    review.save(update_fields=["outcome", "completed_at", "updated_at"])
    return review
