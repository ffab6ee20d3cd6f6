"""Money of the partnership, always in integer öre (IOP 3.2, 4.1)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from groups.models import Placement
from partnership.models import Agreement, BackgroundJob, BudgetLine, District, TimeStampedModel
from referrals.models import Referral


class ExternalFee(TimeStampedModel):
    """5 000 kr owed by another municipality for a child it placed in a group (IOP 3.2: "5 000 kr
    per barn"): one fee per child and agreement year, however often the child is placed again or
    moved to another group (finance/rules.py, `fee_year`).

    The invoice names the child only by initials and the age on the group's first meeting,
    snapshotted here so that the accounting record survives the purging of the child's data.
    A child who never starts has the fee voided with a reason; a voided fee stays as history.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="external_fees")
    # The placement that gave rise to the fee; a later place for the same child reuses the fee.
    placement = models.OneToOneField(
        Placement, on_delete=models.SET_NULL, null=True, blank=True, related_name="external_fee"
    )
    referral = models.ForeignKey(
        Referral, on_delete=models.SET_NULL, null=True, blank=True, related_name="external_fees"
    )
    # Who the fee is for, across referrals: the referral's keyed identity hash (never the number).
    child_key = models.CharField(max_length=64, editable=False)
    year = models.PositiveSmallIntegerField(_("år"))
    municipality = models.CharField(_("kommun"), max_length=100)
    child_initials = models.CharField(_("barnets initialer"), max_length=10)
    child_age = models.PositiveSmallIntegerField(_("barnets ålder vid gruppstart"))
    group_name = models.CharField(_("grupp"), max_length=200)
    amount_ore = models.BigIntegerField(_("belopp (öre)"))
    invoiced_on = models.DateField(_("fakturadatum"))
    paid_on = models.DateField(_("betald"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    voided_at = models.DateTimeField(_("makulerad"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    void_reason = models.TextField(_("orsak till makulering"), blank=True)

    class Meta:
        ordering = ["-invoiced_on", "municipality"]
        verbose_name = _("avgift från annan kommun")
        verbose_name_plural = _("avgifter från andra kommuner")
        constraints = [
            models.CheckConstraint(condition=Q(amount_ore__gt=0), name="external_fee_amount_positive"),
            # IOP 3.2: one fee per child and agreement year; a voided fee does not count.
            models.UniqueConstraint(
                fields=["agreement", "child_key", "year"],
                condition=Q(voided_at__isnull=True),
                name="external_fee_one_per_child_and_year",
            ),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True) | ~Q(void_reason=""), name="external_fee_void_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True) | Q(paid_on__isnull=True), name="external_fee_paid_not_voided"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.child_initials}"

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None


class BudgetYear(TimeStampedModel):
    """One calendar year of an agreement: the unit the city pays in advance and Bris reports on.

    The budget lines themselves belong to the agreement (IOP 4.1 gives one yearly budget); a year
    holds the payments, the costs and, once the annual report is accepted, its closing.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="budget_years")
    year = models.PositiveSmallIntegerField(_("år"))
    starts_on = models.DateField(_("från"))
    ends_on = models.DateField(_("till"))
    fee_reinvestment = models.TextField(
        _("hur avgifterna från andra kommuner återinvesterats"),
        blank=True,
        help_text=_("Visas i den årliga ekonomiska redovisningen."),
    )
    closed_at = models.DateTimeField(_("stängt"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["agreement", "year"]
        verbose_name = _("budgetår")
        verbose_name_plural = _("budgetår")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "year"], name="budget_year_unique_per_agreement"),
            models.CheckConstraint(condition=Q(starts_on__lte=F("ends_on")), name="budget_year_period_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.name} {self.year}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class AdvancePayment(TimeStampedModel):
    """A quarterly advance from the city to the provider (IOP 4.1: paid in advance each quarter)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    budget_year = models.ForeignKey(BudgetYear, on_delete=models.CASCADE, related_name="payments")
    quarter = models.PositiveSmallIntegerField(_("kvartal"))
    due_on = models.DateField(_("förfallodag"))
    amount_ore = models.BigIntegerField(_("belopp (öre)"))
    paid_on = models.DateField(_("betald"), null=True, blank=True)
    reference = models.CharField(_("referens"), max_length=100, blank=True)
    marked_paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["budget_year", "quarter"]
        verbose_name = _("förskottsbetalning")
        verbose_name_plural = _("förskottsbetalningar")
        constraints = [
            models.UniqueConstraint(fields=["budget_year", "quarter"], name="advance_payment_one_per_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="advance_payment_quarter_valid"),
            models.CheckConstraint(condition=Q(amount_ore__gt=0), name="advance_payment_amount_positive"),
            # A payment is either open, or paid with its date and bank reference.
            models.CheckConstraint(
                condition=(Q(paid_on__isnull=True) & Q(reference="")) | (Q(paid_on__isnull=False) & ~Q(reference="")),
                name="advance_payment_paid_has_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.budget_year} Q{self.quarter}"

    @property
    def is_paid(self) -> bool:
        return self.paid_on is not None

    def is_overdue(self, today) -> bool:
        return self.paid_on is None and self.due_on < today


def receipt_path(instance, filename: str) -> str:
    # The stored name carries no user input: the extension comes from the sniffed content
    # (partnership/uploads.stored_document names every upload after its kind).
    return f"finance/receipts/{instance.public_id}.{filename.rsplit('.', 1)[-1]}"


class Cost(TimeStampedModel):
    """An actual cost Bris has had, booked against one budget line of one year (IOP 4.1)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    budget_year = models.ForeignKey(BudgetYear, on_delete=models.PROTECT, related_name="costs")
    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="costs")
    spent_on = models.DateField(_("datum"))
    amount_ore = models.BigIntegerField(_("belopp (öre)"))
    description = models.CharField(_("beskrivning"), max_length=300)
    receipt = models.FileField(_("kvitto"), upload_to=receipt_path, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-spent_on", "-created_at"]
        verbose_name = _("kostnad")
        verbose_name_plural = _("kostnader")
        constraints = [models.CheckConstraint(condition=Q(amount_ore__gt=0), name="cost_amount_positive")]

    def __str__(self) -> str:
        return f"{self.budget_line} {self.spent_on}"


class TravelCost(TimeStampedModel):
    """A participant's travel or lodging, billed to the placing district (IOP 3.1.2).

    The child is kept as the referral's pseudonym, snapshotted so that the bill survives purging.
    """

    class Kind(models.TextChoices):
        TRAVEL = "travel", _("Resa")
        LODGING = "lodging", _("Logi")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="travel_costs")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="travel_costs")
    referral = models.ForeignKey(
        Referral, on_delete=models.SET_NULL, null=True, blank=True, related_name="travel_costs"
    )
    child_pseudonym = models.CharField(_("barn (pseudonym)"), max_length=50)
    kind = models.CharField(_("slag"), max_length=20, choices=Kind.choices)
    incurred_on = models.DateField(_("datum"))
    amount_ore = models.BigIntegerField(_("belopp (öre)"))
    description = models.CharField(_("beskrivning"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["district__name", "-incurred_on"]
        verbose_name = _("resa eller logi")
        verbose_name_plural = _("resor och logi")
        constraints = [models.CheckConstraint(condition=Q(amount_ore__gt=0), name="travel_cost_amount_positive")]
        indexes = [
            # The list's pages, per district newest first (selectors.travel_cost_page).
            models.Index(F("district"), F("incurred_on").desc(), F("id").desc(), name="travel_cost_district_newest"),
            # The sums per district (selectors.travel_summary_by_district), read from the index alone.
            models.Index(
                fields=["district", "agreement", "child_pseudonym"],
                include=["kind", "amount_ore"],
                name="travel_cost_district_sums",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.child_pseudonym} {self.incurred_on}"


class AnnualReport(TimeStampedModel):
    """A generated annual financial report (årlig ekonomisk redovisning) of one year, as a PDF.

    Each generation is a new row, so an earlier version stays downloadable after a regeneration.
    Where its making stands (queued, running, done, failed) is its background job's.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    budget_year = models.ForeignKey(BudgetYear, on_delete=models.CASCADE, related_name="reports")
    job = models.OneToOneField(BackgroundJob, on_delete=models.PROTECT, related_name="+")
    pdf = models.FileField(_("PDF"), upload_to="finance/reports/", blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("årlig ekonomisk redovisning")
        verbose_name_plural = _("årliga ekonomiska redovisningar")

    def __str__(self) -> str:
        return f"{self.budget_year} ({self.job.get_state_display()})"


class FinanceAuditEntry(models.Model):
    """Who changed money, when and why. Written in the same transaction as the change.

    Append-only: PostgreSQL refuses UPDATE and DELETE on it (finance migration 0007's trigger),
    and every foreign key to it is PROTECT, so no deletion elsewhere can cascade into it.
    """

    class Action(models.TextChoices):
        AGREEMENT_SAVED = "agreement_saved", _("Överenskommelse upplagd eller ändrad")
        SCHEDULE_CREATED = "schedule_created", _("Betalningsplan skapad")
        PAYMENT_MARKED_PAID = "payment_marked_paid", _("Betalning markerad som betald")
        PAYMENT_REOPENED = "payment_reopened", _("Betalning återöppnad")
        COST_RECORDED = "cost_recorded", _("Kostnad registrerad")
        COST_CHANGED = "cost_changed", _("Kostnad ändrad")
        COST_REMOVED = "cost_removed", _("Kostnad borttagen")
        FEE_RECORDED = "fee_recorded", _("Avgift från annan kommun registrerad")
        FEE_VOIDED = "fee_voided", _("Avgift makulerad")
        FEE_MARKED_PAID = "fee_marked_paid", _("Avgift markerad som betald")
        TRAVEL_RECORDED = "travel_recorded", _("Resa/logi registrerad")
        YEAR_CLOSED = "year_closed", _("Budgetår stängt")
        YEAR_REOPENED = "year_reopened", _("Budgetår återöppnat")
        REPORT_REQUESTED = "report_requested", _("Redovisning beställd")

    at = models.DateTimeField(_("tidpunkt"), auto_now_add=True)
    # None: made by a rule, not a person (a fee voided when the waiting-list rule ended a referral).
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="finance_audit_entries")
    budget_year = models.ForeignKey(
        BudgetYear, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_entries"
    )
    action = models.CharField(_("händelse"), max_length=30, choices=Action.choices)
    subject = models.CharField(_("gäller"), max_length=200)
    reason = models.TextField(_("motivering"), blank=True)
    amount_ore = models.BigIntegerField(_("belopp (öre)"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("ekonomihändelse")
        verbose_name_plural = _("ekonomilogg")
        constraints = [
            # Reopening something paid or closed, or removing a cost, needs a stated reason.
            models.CheckConstraint(
                condition=~Q(action__in=["payment_reopened", "year_reopened", "cost_removed", "fee_voided"])
                | ~Q(reason=""),
                name="finance_audit_reopen_has_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.subject}"
