"""State changes in finance. Amounts are integer öre; every change writes a FinanceAuditEntry in
the same transaction (who, what, why)."""

import datetime
import logging
from typing import cast

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import Placement, SupportGroup
from partnership.jobs import job_request
from partnership.models import Agreement, BudgetLine, Organisation, TargetGroup
from partnership.money import format_ore
from partnership.selectors import agreement_in_force_check
from partnership.uploads import stored_document
from referrals.identity_numbers import age_on
from referrals.models import Referral

from . import rules
from .models import (
    AdvancePayment,
    AnnualReport,
    BudgetYear,
    Cost,
    ExternalFee,
    FinanceAuditEntry,
    TravelCost,
)
from .money import split_evenly

A = FinanceAuditEntry.Action
logger = logging.getLogger(__name__)

ANNUAL_REPORT_JOB = "finance.annual_report"


def _audit(
    *,
    by: User | None,
    agreement: Agreement,
    action: str,
    subject: object,
    budget_year: BudgetYear | None = None,
    reason: str = "",
    amount_ore: int | None = None,
) -> None:
    FinanceAuditEntry.objects.create(
        by=by,
        agreement=agreement,
        budget_year=budget_year,
        action=action,
        subject=str(subject)[:200],
        reason=reason,
        amount_ore=amount_ore,
    )


# --- The external fee (called by the groups app when a child is placed) ----------------------


def _group_start(group: SupportGroup) -> datetime.date | None:
    return group.starts_on or (group.parent.starts_on if group.parent is not None else None)


@transaction.atomic
def external_fee_record(*, placement: Placement, recorded_by: User) -> ExternalFee:
    """Placing a child from another municipality creates the fee it owes, once per child and
    agreement year (IOP 3.2, finance/rules.py): a child placed again, or moved to another group,
    keeps the fee of the first place. The invoice gives the child's age on the group's first
    meeting."""
    referral = placement.referral
    if not referral.is_external:
        raise ValidationError(_("Barnet tillhör Stockholms stad; ingen avgift tas ut."))
    group = placement.group
    today = timezone.localdate()
    starts_on = _group_start(group) or today
    child_key = rules.fee_child_key(referral)
    year = rules.fee_year(starts_on)
    existing = (
        ExternalFee.objects.select_for_update()
        .filter(agreement=group.agreement, child_key=child_key, year=year, voided_at__isnull=True)
        .first()
    )
    if existing is not None:
        return existing
    child = referral.child
    try:
        with transaction.atomic():
            fee = ExternalFee.objects.create(
                agreement=group.agreement,
                placement=placement,
                referral=referral,
                child_key=child_key,
                year=year,
                municipality=referral.external_municipality,
                child_initials=f"{child.first_name[:1]}{child.last_name[:1]}".upper(),
                child_age=age_on(child.birth_date, starts_on),
                group_name=group.parent.name if group.parent is not None else group.name,
                amount_ore=group.agreement.external_child_fee_ore,
                invoiced_on=today,
                recorded_by=recorded_by,
            )
    except IntegrityError:  # the same child's fee was recorded a moment ago (the unique constraint)
        return ExternalFee.objects.get(agreement=group.agreement, child_key=child_key, year=year, voided_at=None)
    _audit(
        by=recorded_by,
        agreement=fee.agreement,
        action=A.FEE_RECORDED,
        subject=f"{fee.municipality} {fee.child_initials} {fee.year}",
        amount_ore=fee.amount_ore,
    )
    return fee


@transaction.atomic
def external_fee_void(*, fee: ExternalFee, reason: str, by: User | None) -> ExternalFee:
    """Void a fee that is not owed (the child never started); the reason goes in the finance log."""
    fee = ExternalFee.objects.select_for_update().get(pk=fee.pk)
    if fee.voided_at is not None:
        raise ValidationError(_("Avgiften är redan makulerad."))
    if fee.paid_on is not None:
        raise ValidationError({"reason": _("Avgiften är betald och kan inte makuleras.")})
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Ange varför avgiften makuleras.")})
    fee.voided_at, fee.voided_by, fee.void_reason = timezone.now(), by, reason
    fee.save(update_fields=["voided_at", "voided_by", "void_reason", "updated_at"])
    _audit(
        by=by,
        agreement=fee.agreement,
        action=A.FEE_VOIDED,
        subject=f"{fee.municipality} {fee.child_initials} {fee.year}",
        reason=reason,
        amount_ore=fee.amount_ore,
    )
    return fee


def external_fees_void_if_never_started(*, referral: Referral, by: User | None, reason: str) -> list[ExternalFee]:
    """The referral ended: void its open fees of the years in which the child never started
    (no group of the child's held a meeting while the child had the place)."""
    voided = []
    for fee in ExternalFee.objects.filter(referral=referral, voided_at__isnull=True, paid_on__isnull=True):
        if not rules.child_started_in_year(referral=referral, year=fee.year):
            voided.append(
                external_fee_void(
                    fee=fee,
                    reason=_("Barnet började aldrig i gruppen: %(reason)s") % {"reason": reason or "-"},
                    by=by,
                )
            )
    return voided


@transaction.atomic
def external_fee_mark_paid(*, fee: ExternalFee, paid_on: datetime.date, by: User) -> ExternalFee:
    fee = ExternalFee.objects.select_for_update().get(pk=fee.pk)
    if fee.voided_at is not None:
        raise ValidationError({"paid_on": _("Avgiften är makulerad: %(reason)s") % {"reason": fee.void_reason}})
    if fee.paid_on is not None:
        raise ValidationError({"paid_on": _("Avgiften är redan markerad som betald %(date)s.") % {"date": fee.paid_on}})
    _not_in_future(paid_on, "paid_on")
    if paid_on < fee.invoiced_on:
        raise ValidationError({"paid_on": _("Betalningsdatumet kan inte vara före fakturadatumet.")})
    fee.paid_on = paid_on
    fee.save(update_fields=["paid_on", "updated_at"])
    _audit(
        by=by,
        agreement=fee.agreement,
        action=A.FEE_MARKED_PAID,
        subject=f"{fee.municipality} {fee.child_initials}",
        amount_ore=fee.amount_ore,
    )
    return fee


# --- Setting up an agreement (IOP 3.2, 4.1, 4.3) ----------------------------------------------

Kind = Agreement.Kind


def _check_provider_fits_kind(*, kind: str, provider: Organisation, public_party: Organisation) -> None:
    """An IOP is a partnership with a non-profit organisation (that is what the I stands for); a
    district's own groups are run by a district administration; an operating grant goes to any
    provider but the public party itself."""
    if provider.pk == public_party.pk:
        raise ValidationError({"provider": _("Utföraren kan inte vara den offentliga parten själv.")})
    if kind == Kind.IOP and provider.kind != Organisation.Kind.NONPROFIT:
        raise ValidationError({"provider": _("Ett IOP ingås bara med en idéburen organisation.")})
    if kind == Kind.DISTRICT_OWN and provider.organisation_type != Organisation.Type.DISTRICT:
        raise ValidationError({"provider": _("Stadsdelens egna grupper drivs av en stadsdelsförvaltning.")})


@transaction.atomic
def agreement_save(
    *,
    agreement: Agreement | None = None,
    public_party: Organisation,
    provider: Organisation,
    target_group: TargetGroup,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    target_groups_per_year: int,
    target_children_per_year: int,
    min_group_size: int,
    max_group_size: int,
    external_child_fee_ore: int,
    budget_lines: list[tuple[str, int]],
    by: User,
    kind: str = Kind.IOP,
    grant_amount_ore: int | None = None,
    grant_report_due_on: datetime.date | None = None,
) -> Agreement:
    """Set up an arrangement (or correct one): an IOP with its yearly budget lines in öre, an
    operating grant with its amount per year (and when its report is due), or a district's own
    groups, where no money moves. The kind is chosen once: another kind is another agreement.

    Its period may not overlap another agreement between the same parties: every dated record
    belongs to the one agreement in force on its date. Once an IOP's budget years and advance
    schedules exist, the period and the budget lines are fixed (a renewal is a new agreement); the
    targets, group sizes and the fee can still be corrected. Logged in the finance log."""
    if kind not in Kind.values:
        raise ValidationError(_("Välj en samverkansform."))
    if agreement is not None and agreement.kind != kind:
        raise ValidationError(_("Samverkansformen kan inte ändras; lägg upp en ny överenskommelse."))
    if not name.strip():
        raise ValidationError({"name": _("Ange ett namn.")})
    _check_provider_fits_kind(kind=kind, provider=provider, public_party=public_party)
    if starts_on > ends_on:
        raise ValidationError({"ends_on": _("Slutdatumet kan inte vara före startdatumet.")})
    if min_group_size > max_group_size:
        raise ValidationError({"max_group_size": _("Största gruppstorlek kan inte vara mindre än minsta.")})
    if external_child_fee_ore <= 0:
        raise ValidationError({"external_child_fee": _("Beloppet måste vara större än noll.")})
    lines = [(line_name.strip(), amount) for line_name, amount in budget_lines if line_name.strip()]
    if kind == Kind.IOP:
        if not lines:
            raise ValidationError(_("Lägg in minst en budgetpost."))
        if len({line_name.casefold() for line_name, _amount in lines}) != len(lines):
            raise ValidationError(_("Två budgetposter har samma namn."))
        if any(amount < 0 for _line, amount in lines):
            raise ValidationError(_("En budgetpost kan inte vara negativ."))
    elif lines:
        raise ValidationError(_("Budgetposter och förskott finns bara i ett IOP."))
    if kind == Kind.OPERATING_GRANT:
        if grant_amount_ore is None or grant_amount_ore <= 0:
            raise ValidationError({"grant_amount": _("Ange verksamhetsstödet per år.")})
        if grant_report_due_on is not None and grant_report_due_on < starts_on:
            raise ValidationError({"grant_report_due_on": _("Redovisningen kan inte vara före periodens start.")})
    elif grant_amount_ore is not None or grant_report_due_on is not None:
        # The database refuses it too (agreement_grant_only_for_operating_grant).
        raise ValidationError(_("Bara ett verksamhetsstöd har ett belopp per år."))
    overlapping = Agreement.objects.filter(
        public_party=public_party, provider=provider, starts_on__lte=ends_on, ends_on__gte=starts_on
    )
    if agreement is not None:
        overlapping = overlapping.exclude(pk=agreement.pk)
    clash = overlapping.first()
    if clash is not None:
        raise ValidationError(
            {
                "starts_on": _("Perioden överlappar överenskommelsen %(other)s (%(start)s–%(end)s).")
                % {"other": clash.name, "start": clash.starts_on, "end": clash.ends_on}
            }
        )
    fixed = agreement is not None and agreement.budget_years.exists()
    if fixed and agreement is not None:  # fixed: an agreement with budget years
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if (starts_on, ends_on) != (agreement.starts_on, agreement.ends_on):
            raise ValidationError(
                {"starts_on": _("Budgetåren är skapade; perioden kan inte ändras. Lägg upp en ny överenskommelse.")}
            )
        current = [(line.name, line.annual_amount_ore) for line in agreement.budget_lines.order_by("position")]
        if current != lines:
            raise ValidationError(_("Budgetåren är skapade; budgetposterna kan inte ändras."))
    agreement = agreement or Agreement(public_party=public_party, kind=kind)
    agreement.provider = provider
    agreement.target_group = target_group
    agreement.name = name.strip()
    agreement.starts_on, agreement.ends_on = starts_on, ends_on
    agreement.target_groups_per_year = target_groups_per_year
    agreement.target_children_per_year = target_children_per_year
    agreement.min_group_size, agreement.max_group_size = min_group_size, max_group_size
    agreement.external_child_fee_ore = external_child_fee_ore
    agreement.grant_amount_ore, agreement.grant_report_due_on = grant_amount_ore, grant_report_due_on
    agreement.save()
    if not fixed:
        agreement.budget_lines.all().delete()
        BudgetLine.objects.bulk_create(
            BudgetLine(agreement=agreement, name=line_name, annual_amount_ore=amount, position=position)
            for position, (line_name, amount) in enumerate(lines)
        )
    _audit(
        by=by,
        agreement=agreement,
        action=A.AGREEMENT_SAVED,
        subject=f"{agreement} {agreement.starts_on}–{agreement.ends_on} ({agreement.get_kind_display()})",
        amount_ore=grant_amount_ore if kind == Kind.OPERATING_GRANT else sum(amount for _line, amount in lines),
    )
    return agreement


# --- Budget years and the quarterly advance schedule (IOP 4.1) ----------------------------------


def quarter_start(year: int, quarter: int) -> datetime.date:
    return datetime.date(year, 3 * (quarter - 1) + 1, 1)


def quarter_end(year: int, quarter: int) -> datetime.date:
    return (quarter_start(year + 1, 1) if quarter == 4 else quarter_start(year, quarter + 1)) - datetime.timedelta(
        days=1
    )


def advance_schedule(
    *, annual_budget_ore: int, year: int, period_start: datetime.date, period_end: datetime.date
) -> list[tuple[int, datetime.date, int]]:
    """(quarter, due date, amount) for each quarter of `year` inside the agreement period.

    Advances are paid before the quarter they fund starts, so each falls due the day before its
    quarter. A year the agreement covers only in part gets the quarters it covers and a
    proportional share of the yearly budget; the parts always add up to exactly that share.
    """
    quarters = [q for q in range(1, 5) if quarter_start(year, q) <= period_end and quarter_end(year, q) >= period_start]
    if not quarters:
        return []
    year_amount = annual_budget_ore * len(quarters) // 4
    amounts = split_evenly(year_amount, len(quarters))
    return [
        (q, quarter_start(year, q) - datetime.timedelta(days=1), amount)
        for q, amount in zip(quarters, amounts, strict=True)
    ]


@transaction.atomic
def budget_years_create(*, agreement: Agreement, by: User) -> list[BudgetYear]:
    """Create every year of the agreement with its payment schedule. Safe to call again."""
    if not agreement.is_iop:
        raise ValidationError(
            _("Förskott och budgetår finns bara för ett IOP; %(kind)s har inga förskott.")
            % {"kind": agreement.get_kind_display().lower()}
        )
    annual = agreement.annual_budget_ore
    if annual <= 0:
        raise ValidationError(_("Överenskommelsen saknar budget; lägg in budgetposterna först."))
    years = []
    for year in range(agreement.starts_on.year, agreement.ends_on.year + 1):
        budget_year, _created = BudgetYear.objects.get_or_create(
            agreement=agreement,
            year=year,
            defaults={
                "starts_on": max(agreement.starts_on, datetime.date(year, 1, 1)),
                "ends_on": min(agreement.ends_on, datetime.date(year, 12, 31)),
            },
        )
        years.append(budget_year)
        if budget_year.payments.exists():
            continue
        schedule = advance_schedule(
            annual_budget_ore=annual, year=year, period_start=agreement.starts_on, period_end=agreement.ends_on
        )
        AdvancePayment.objects.bulk_create(
            AdvancePayment(budget_year=budget_year, quarter=q, due_on=due_on, amount_ore=amount)
            for q, due_on, amount in schedule
        )
        _audit(
            by=by,
            agreement=agreement,
            budget_year=budget_year,
            action=A.SCHEDULE_CREATED,
            subject=str(budget_year),
            amount_ore=sum(amount for _q, _d, amount in schedule),
        )
    return years


def _not_in_future(day: datetime.date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("Datumet kan inte ligga i framtiden.")})


def _year_open(budget_year: BudgetYear, field: str | None = None) -> None:
    if budget_year.closed_at is not None:
        message = _("Budgetåret %(year)s är stängt. Återöppna det med en motivering först.") % {
            "year": budget_year.year
        }
        raise ValidationError({field: message} if field else message)


@transaction.atomic
def payment_mark_paid(*, payment: AdvancePayment, paid_on: datetime.date, reference: str, by: User) -> AdvancePayment:
    # Lock the row: two coordinators pressing "paid" at once must not both succeed.
    payment = AdvancePayment.objects.select_for_update().select_related("budget_year__agreement").get(pk=payment.pk)
    if payment.paid_on is not None:
        raise ValidationError(
            {
                "paid_on": _(
                    "Betalningen är redan markerad som betald %(date)s (referens %(reference)s). "
                    "Återöppna den med en motivering om den ska ändras."
                )
                % {"date": payment.paid_on, "reference": payment.reference}
            }
        )
    _year_open(payment.budget_year, "paid_on")
    _not_in_future(paid_on, "paid_on")
    reference = reference.strip()
    if not reference:
        raise ValidationError({"reference": _("Ange betalningens referens (till exempel verifikationsnummer).")})
    payment.paid_on = paid_on
    payment.reference = reference
    payment.marked_paid_by = by
    payment.save(update_fields=["paid_on", "reference", "marked_paid_by", "updated_at"])
    _audit(
        by=by,
        agreement=payment.budget_year.agreement,
        budget_year=payment.budget_year,
        action=A.PAYMENT_MARKED_PAID,
        subject=f"{payment} {reference}",
        amount_ore=payment.amount_ore,
    )
    return payment


@transaction.atomic
def payment_reopen(*, payment: AdvancePayment, reason: str, by: User) -> AdvancePayment:
    """Undo "paid" so the payment can be corrected; allowed only with a reason, and logged."""
    payment = AdvancePayment.objects.select_for_update().select_related("budget_year__agreement").get(pk=payment.pk)
    if payment.paid_on is None:
        raise ValidationError(_("Betalningen är inte markerad som betald."))
    _year_open(payment.budget_year)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Ange varför betalningen återöppnas.")})
    previous = f"{payment} {payment.paid_on} {payment.reference}"
    payment.paid_on = None
    payment.reference = ""
    payment.marked_paid_by = None
    payment.save(update_fields=["paid_on", "reference", "marked_paid_by", "updated_at"])
    _audit(
        by=by,
        agreement=payment.budget_year.agreement,
        budget_year=payment.budget_year,
        action=A.PAYMENT_REOPENED,
        subject=previous,
        reason=reason,
        amount_ore=payment.amount_ore,
    )
    return payment


@transaction.atomic
def budget_year_close(*, budget_year: BudgetYear, by: User) -> BudgetYear:
    budget_year = BudgetYear.objects.select_for_update().get(pk=budget_year.pk)
    if budget_year.closed_at is not None:
        raise ValidationError(_("Budgetåret är redan stängt."))
    budget_year.closed_at = timezone.now()
    budget_year.closed_by = by
    budget_year.save(update_fields=["closed_at", "closed_by", "updated_at"])
    _audit(by=by, agreement=budget_year.agreement, budget_year=budget_year, action=A.YEAR_CLOSED, subject=budget_year)
    return budget_year


@transaction.atomic
def budget_year_reopen(*, budget_year: BudgetYear, reason: str, by: User) -> BudgetYear:
    budget_year = BudgetYear.objects.select_for_update().get(pk=budget_year.pk)
    if budget_year.closed_at is None:
        raise ValidationError(_("Budgetåret är inte stängt."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Ange varför budgetåret återöppnas.")})
    budget_year.closed_at = None
    budget_year.closed_by = None
    budget_year.save(update_fields=["closed_at", "closed_by", "updated_at"])
    _audit(
        by=by,
        agreement=budget_year.agreement,
        budget_year=budget_year,
        action=A.YEAR_REOPENED,
        subject=budget_year,
        reason=reason,
    )
    return budget_year


# --- Costs and travel ----------------------------------------------------------------------------


def _positive(amount_ore: int, field: str) -> None:
    if amount_ore <= 0:
        raise ValidationError({field: _("Beloppet måste vara större än noll.")})


def _cost_checked(
    *, budget_year: BudgetYear, budget_line: BudgetLine, spent_on: datetime.date, amount_ore: int, description: str
) -> str:
    """The rules a cost obeys, whether booked or changed; returns the cleaned description."""
    _year_open(budget_year)
    if budget_line.agreement_id != budget_year.agreement_id:
        raise ValidationError({"budget_line": _("Budgetposten hör till en annan överenskommelse.")})
    agreement = budget_year.agreement
    agreement_in_force_check(agreement=agreement, on=spent_on, field="spent_on")
    if not budget_year.starts_on <= spent_on <= budget_year.ends_on:
        raise ValidationError(
            {"spent_on": _("Datumet ligger utanför budgetåret %(year)s.") % {"year": budget_year.year}}
        )
    _positive(amount_ore, "amount")
    if not description.strip():
        raise ValidationError({"description": _("Beskriv kostnaden.")})
    return description.strip()


@transaction.atomic
def cost_record(
    *,
    budget_year: BudgetYear,
    budget_line: BudgetLine,
    spent_on: datetime.date,
    amount_ore: int,
    description: str,
    by: User,
    receipt: "File[bytes] | None" = None,
) -> Cost:
    """Book an actual cost on a budget line (IOP 4.1: Bris reports its use of the money yearly)."""
    budget_year = BudgetYear.objects.select_for_update().select_related("agreement").get(pk=budget_year.pk)
    description = _cost_checked(
        budget_year=budget_year,
        budget_line=budget_line,
        spent_on=spent_on,
        amount_ore=amount_ore,
        description=description,
    )
    cost = Cost(
        budget_year=budget_year,
        budget_line=budget_line,
        spent_on=spent_on,
        amount_ore=amount_ore,
        description=description,
        recorded_by=by,
    )
    if receipt:
        receipt = stored_document(receipt, stem="kvitto")
        cost.receipt.save(cast(str, receipt.name), receipt, save=False)  # stored_document named it
    cost.save()
    _audit(
        by=by,
        agreement=budget_year.agreement,
        budget_year=budget_year,
        action=A.COST_RECORDED,
        subject=f"{budget_line}: {cost.description}",
        amount_ore=amount_ore,
    )
    return cost


@transaction.atomic
def cost_change(
    *,
    cost: Cost,
    budget_line: BudgetLine,
    spent_on: datetime.date,
    amount_ore: int,
    description: str,
    reason: str,
    by: User,
    receipt: "File[bytes] | None" = None,
) -> Cost:
    """Correct a booked cost in an open year. The audit entry keeps what it was before and why;
    a new receipt replaces the old one, which is deleted from storage once the change commits."""
    cost = Cost.objects.select_for_update().select_related("budget_year__agreement", "budget_line").get(pk=cost.pk)
    budget_year = BudgetYear.objects.select_for_update().select_related("agreement").get(pk=cost.budget_year_id)
    description = _cost_checked(
        budget_year=budget_year,
        budget_line=budget_line,
        spent_on=spent_on,
        amount_ore=amount_ore,
        description=description,
    )
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Ange varför kostnaden ändras.")})
    before = _("Före: %(line)s, %(day)s, %(amount)s, ”%(text)s”.") % {
        "line": cost.budget_line,
        "day": cost.spent_on,
        "amount": format_ore(cost.amount_ore),
        "text": cost.description,
    }
    replaced = cost.receipt.name if (receipt and cost.receipt) else ""  # the name, before save() moves it
    cost.budget_line, cost.spent_on, cost.amount_ore, cost.description = budget_line, spent_on, amount_ore, description
    if receipt:
        receipt = stored_document(receipt, stem="kvitto")
        cost.receipt.save(cast(str, receipt.name), receipt, save=False)  # stored_document named it
    cost.save()
    _audit(
        by=by,
        agreement=budget_year.agreement,
        budget_year=budget_year,
        action=A.COST_CHANGED,
        subject=f"{budget_line}: {description} ({spent_on})",
        reason=f"{reason}\n{before}",
        amount_ore=amount_ore,
    )
    if replaced:
        storage = cost.receipt.storage
        transaction.on_commit(lambda: storage.delete(replaced))
    return cost


@transaction.atomic
def cost_remove(*, cost: Cost, reason: str, by: User) -> None:
    """Take back a cost booked by mistake (re-book it correctly after). Its year must be open;
    the audit entry keeps what was removed and why."""
    cost = Cost.objects.select_for_update().select_related("budget_year__agreement", "budget_line").get(pk=cost.pk)
    _year_open(cost.budget_year)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Ange varför kostnaden tas bort.")})
    _audit(
        by=by,
        agreement=cost.budget_year.agreement,
        budget_year=cost.budget_year,
        action=A.COST_REMOVED,
        subject=f"{cost.budget_line}: {cost.description} ({cost.spent_on})",
        reason=reason,
        amount_ore=cost.amount_ore,
    )
    if cost.receipt:
        receipt = cost.receipt
        transaction.on_commit(lambda: receipt.storage.delete(receipt.name))  # type: ignore[arg-type]  # a saved file
    cost.delete()


@transaction.atomic
def travel_cost_record(
    *,
    agreement: Agreement,
    referral: Referral,
    kind: str,
    incurred_on: datetime.date,
    amount_ore: int,
    description: str,
    by: User,
) -> TravelCost:
    """A participant's travel or lodging, billed to the district that placed the child (IOP 3.1.2)."""
    if referral.agreement_id != agreement.pk:
        raise ValidationError({"referral": _("Barnet hör till en annan överenskommelse.")})
    agreement_in_force_check(agreement=agreement, on=incurred_on, field="incurred_on")
    _positive(amount_ore, "amount")
    travel = TravelCost.objects.create(
        agreement=agreement,
        district_id=referral.district_id,
        referral=referral,
        child_pseudonym=referral.pseudonym,
        kind=kind,
        incurred_on=incurred_on,
        amount_ore=amount_ore,
        description=description.strip(),
        recorded_by=by,
    )
    _audit(
        by=by,
        agreement=agreement,
        action=A.TRAVEL_RECORDED,
        subject=f"{travel.get_kind_display()} {referral.pseudonym}",
        amount_ore=amount_ore,
    )
    return travel


# --- The annual financial report (built in the background, finance/jobs.py) ------------------


@transaction.atomic
def annual_report_request(*, budget_year: BudgetYear, fee_reinvestment: str, by: User) -> AnnualReport:
    """Save how the fees were reinvested, then have the report's PDF built in the background.
    A second click, or a second coordinator, while the report is being built gets that report."""
    budget_year = BudgetYear.objects.select_for_update().select_related("agreement").get(pk=budget_year.pk)
    fee_reinvestment = fee_reinvestment.strip()
    if fee_reinvestment != budget_year.fee_reinvestment:
        _year_open(budget_year, "fee_reinvestment")
        budget_year.fee_reinvestment = fee_reinvestment
        budget_year.save(update_fields=["fee_reinvestment", "updated_at"])
    job, created = job_request(kind=ANNUAL_REPORT_JOB, key=f"{ANNUAL_REPORT_JOB}:{budget_year.pk}", requested_by=by)
    if not created:
        return AnnualReport.objects.get(job=job)
    report = AnnualReport.objects.create(budget_year=budget_year, requested_by=by, job=job)
    _audit(by=by, agreement=budget_year.agreement, budget_year=budget_year, action=A.REPORT_REQUESTED, subject=report)
    return report
