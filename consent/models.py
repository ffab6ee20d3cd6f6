"""Consent, the duty-to-report path and the spot checks of the access log (IOP 2.3).

The rule that decides what Bris may see is a pure function in consent/gate.py; these models hold
the facts it reads. The access log itself is in the partnership app, since every app writes it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partnership.models import AccessLogEntry, TimeStampedModel
from referrals.models import Guardian, Referral


def consent_document_path(instance, filename: str) -> str:
    # A random name: the file name a user uploads may well be the child's name.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"consent/{instance.referral.public_id}/{uuid.uuid4().hex}.{extension}"


class GuardianConsent(TimeStampedModel):
    class Method(models.TextChoices):
        MEETING = "meeting", _("Vid möte")
        PHONE = "phone", _("Per telefon")
        LETTER = "letter", _("Skriftligt, brev")
        DIGITAL = "digital", _("Skriftligt, digitalt")

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="consents")
    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, related_name="consents")
    given_on = models.DateField(_("datum för samtycket"))
    method = models.CharField(_("hur samtycket inhämtades"), max_length=20, choices=Method.choices)
    information_given = models.TextField(
        _("information som vårdnadshavaren fått"),
        help_text=_("Beskriv vilken information om hela verksamheten vårdnadshavaren fick (IOP 2.3)."),
    )
    document = models.FileField(_("inskannat samtycke"), upload_to=consent_document_path, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(_("återkallat"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.TextField(_("orsak till återkallelse"), blank=True)

    class Meta:
        ordering = ["referral", "given_on"]
        verbose_name = _("samtycke")
        verbose_name_plural = _("samtycken")
        constraints = [
            # One standing consent per guardian; a withdrawn one stays as history.
            models.UniqueConstraint(
                fields=["guardian"], condition=Q(withdrawn_at__isnull=True), name="consent_one_standing_per_guardian"
            )
        ]

    def __str__(self) -> str:
        return f"{self.guardian} ({self.given_on})"


class ConcernReport(TimeStampedModel):
    """Orosanmälan: the duty to report overrides the consent rule, so it is justified and logged."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="concern_reports")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    justification = models.TextField(_("vad oron gäller"))
    # Snapshot of the agreement's editable legal reference at the time of the report.
    legal_reference = models.CharField(_("lagrum"), max_length=200)
    district_notified_at = models.DateTimeField(null=True, blank=True)
    # Nobody in the district could be reached (no social worker, case officer or contact with an
    # email): the report stays open, the hourly sweep tries again, and the coordinator and Bris'
    # operations managers were alerted at this moment (consent/jobs.py).
    unreachable_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("orosanmälan")
        verbose_name_plural = _("orosanmälningar")

    def __str__(self) -> str:
        return f"{self.referral} {self.created_at:%Y-%m-%d}"


class LogReview(TimeStampedModel):
    """Loggkontroll: a documented spot check of a random sample of access log entries."""

    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField(_("från"))
    period_end = models.DateField(_("till"))
    filter_description = models.CharField(_("urval"), max_length=300, blank=True)
    sample = models.ManyToManyField(AccessLogEntry, related_name="reviews")
    outcome = models.TextField(_("resultat av kontrollen"), blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("loggkontroll")
        verbose_name_plural = _("loggkontroller")

    def __str__(self) -> str:
        return f"{self.period_start}–{self.period_end}"


class DutyToReportReference(TimeStampedModel):
    """The legal reference of the duty to report (anmälningsplikt) in force from a date. A concern
    gets the reference in force on the day it is made: SoL (2001:453) until 30 June 2025, the new
    Social Services Act, SoL (2025:400), from 1 July 2025. Editable text (in the admin), as the law
    and its section numbers change; a report keeps the text it was made with."""

    valid_from = models.DateField(_("gäller från"), unique=True)
    reference = models.CharField(_("lagrum"), max_length=200)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("lagrum för anmälningsplikt")
        verbose_name_plural = _("lagrum för anmälningsplikt")

    def __str__(self) -> str:
        return f"{self.reference} ({self.valid_from:%Y-%m-%d})"
