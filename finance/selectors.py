"""Reads of finance, always within the agreements the user's organisation is a party to."""

import datetime
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Count, Model, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from groups.models import GroupStatus, Meeting, SupportGroup
from groups.selectors import children_placed_in
from partnership.models import Agreement, District, Role
from partnership.pagination import AFTER, BEFORE, KeysetPage, decode_cursor, encode_cursor
from partnership.replica import report_reads
from referrals.models import Referral
from referrals.rules import IDENTITY_VISIBLE_TO_PROVIDER

from . import rules as finance_rules
from .models import AdvancePayment, AnnualReport, BudgetYear, Cost, ExternalFee, FinanceAuditEntry, TravelCost
from .settlement import SettlementAmounts, settlement_amounts


def agreements_for(user: User) -> QuerySet[Agreement]:
    """The coordinator sees the agreements of their public body, the operations manager those of
    their organisation as provider; nobody else has finance."""
    membership = getattr(user, "membership", None)
    queryset = Agreement.objects.select_related("public_party", "provider")
    if membership is None:
        return queryset.none()
    if membership.role == Role.COORDINATOR:
        return queryset.filter(public_party_id=membership.organisation_id)
    if membership.role == Role.OPERATIONS_MANAGER:
        return queryset.filter(provider_id=membership.organisation_id)
    return queryset.none()


M = TypeVar("M", bound=Model)


def _get(queryset: QuerySet[M], **lookup: Any) -> M:
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError) as error:  # type: ignore[attr-defined]  # each model's own
        raise Http404 from error


def budget_years_for(user: User) -> QuerySet[BudgetYear]:
    return BudgetYear.objects.filter(agreement__in=agreements_for(user)).select_related("agreement")


def get_agreement_for(user: User, public_id: uuid.UUID) -> Agreement:
    return _get(agreements_for(user), public_id=public_id)


def get_budget_year_for(user: User, public_id: uuid.UUID) -> BudgetYear:
    return _get(budget_years_for(user), public_id=public_id)


def get_payment_for(user: User, public_id: uuid.UUID) -> AdvancePayment:
    queryset = AdvancePayment.objects.filter(budget_year__agreement__in=agreements_for(user))
    return _get(queryset.select_related("budget_year__agreement"), public_id=public_id)


def get_cost_for(user: User, public_id: uuid.UUID) -> Cost:
    queryset = Cost.objects.filter(budget_year__agreement__in=agreements_for(user))
    return _get(queryset.select_related("budget_year__agreement"), public_id=public_id)


def fees_for(user: User) -> QuerySet[ExternalFee]:
    return ExternalFee.objects.filter(agreement__in=agreements_for(user)).select_related("agreement")


def get_fee_for(user: User, public_id: uuid.UUID) -> ExternalFee:
    return _get(fees_for(user), public_id=public_id)


def get_report_for(user: User, public_id: uuid.UUID) -> AnnualReport:
    queryset = AnnualReport.objects.filter(budget_year__agreement__in=agreements_for(user))
    return _get(queryset.select_related("budget_year__agreement", "job"), public_id=public_id)


def travel_costs_for(user: User) -> QuerySet[TravelCost]:
    return TravelCost.objects.filter(agreement__in=agreements_for(user)).select_related("district", "agreement")


# The list of travel costs in its order, district by name and the newest first in each, one page
# at a time from where the last ended: for each district (a few dozen), at most a page of its
# entries through the index travel_cost_district_newest, so a page reads the same whatever the
# years of entries. Sorting the joined rows by the district's name read every entry instead.
_TRAVEL_PAGE_SQL = """
SELECT cost.id, district.name, cost.incurred_on
FROM partnership_district AS district
CROSS JOIN LATERAL (
    SELECT cost.id, cost.incurred_on
    FROM finance_travelcost AS cost
    WHERE cost.district_id = district.id AND cost.agreement_id = ANY(%(agreements)s) {inner}
    ORDER BY cost.incurred_on {order}, cost.id {order}
    LIMIT %(limit)s
) AS cost
{outer}
ORDER BY district.name {name_order}, cost.incurred_on {order}, cost.id {order}
LIMIT %(limit)s
"""


def travel_cost_page(user: User, *, params: Mapping[str, str], size: int) -> KeysetPage:
    """One page of the user's travel costs by district name, newest first (`efter`/`fore` hold
    the cursor of the page before or after, as partnership.pagination.keyset_page)."""
    fields = [District._meta.get_field("name"), TravelCost._meta.get_field("incurred_on"), TravelCost._meta.pk]
    going_back = bool(params.get(BEFORE))
    cursor = params.get(BEFORE) or params.get(AFTER) or ""
    values = decode_cursor(cursor, fields) if cursor else None
    going_back = going_back and values is not None
    arguments: dict[str, Any] = {
        "agreements": list(agreements_for(user).values_list("pk", flat=True)),
        "limit": size + 1,
    }
    inner = outer = ""
    if values is not None:
        arguments.update(name=values[0], day=values[1], id=values[2])
        if going_back:  # the rows before the cursor, nearest first
            inner = "AND (district.name < %(name)s OR (cost.incurred_on, cost.id) > (%(day)s, %(id)s))"
            outer = "WHERE district.name <= %(name)s"
        else:
            inner = "AND (district.name > %(name)s OR (cost.incurred_on, cost.id) < (%(day)s, %(id)s))"
            outer = "WHERE district.name >= %(name)s"
    if connection.vendor == "postgresql":
        sql = _TRAVEL_PAGE_SQL.format(
            inner=inner,
            outer=outer,
            order="ASC" if going_back else "DESC",
            name_order="DESC" if going_back else "ASC",
        )
        with connection.cursor() as db:
            db.execute(sql, arguments)
            keys = db.fetchall()
    else:  # SQLite in development has no LATERAL: the same page from the sorted join
        keys = _travel_page_keys_portable(arguments, values, going_back=going_back)
    more = len(keys) > size
    keys = keys[:size]
    if going_back:
        keys.reverse()
    by_pk = TravelCost.objects.select_related("district", "agreement").in_bulk([key[0] for key in keys])
    rows = [by_pk[key[0]] for key in keys]
    has_next, has_previous = (True, more) if going_back else (more, values is not None)

    def cursor_of(key: tuple[Any, ...]) -> str:
        pk, name, day = key
        return encode_cursor([name, day, pk])

    return KeysetPage(
        object_list=rows,
        next_cursor=cursor_of(keys[-1]) if has_next and keys else None,
        previous_cursor=cursor_of(keys[0]) if has_previous and keys else None,
    )


# --- Budget against actual ---------------------------------------------------------------------


@dataclass(frozen=True)
class LineRow:
    name: str
    budget_ore: int
    actual_ore: int

    @property
    def remaining_ore(self) -> int:
        return self.budget_ore - self.actual_ore

    @property
    def overspent(self) -> bool:
        return self.actual_ore > self.budget_ore


@dataclass(frozen=True)
class BudgetVsActual:
    lines: list[LineRow]

    @property
    def budget_ore(self) -> int:
        return sum(line.budget_ore for line in self.lines)

    @property
    def actual_ore(self) -> int:
        return sum(line.actual_ore for line in self.lines)

    @property
    def remaining_ore(self) -> int:
        return self.budget_ore - self.actual_ore

    @property
    def overspent(self) -> bool:
        return self.actual_ore > self.budget_ore

    @property
    def overspent_lines(self) -> list[LineRow]:
        return [line for line in self.lines if line.overspent]


def budget_vs_actual(budget_year: BudgetYear) -> BudgetVsActual:
    """Each line's yearly budget, the costs booked on it this year, and what remains (2 queries)."""
    lines = budget_year.agreement.budget_lines.annotate(
        actual=Sum("costs__amount_ore", filter=Q(costs__budget_year=budget_year))
    ).order_by("position", "name")
    return BudgetVsActual(
        lines=[
            LineRow(name=line.name, budget_ore=line.annual_amount_ore, actual_ore=line.actual or 0) for line in lines
        ]
    )


def year_costs(budget_year: BudgetYear) -> QuerySet[Cost]:
    return budget_year.costs.select_related("budget_line").order_by("-spent_on", "-created_at")


# --- Payments ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentRow:
    payment: AdvancePayment
    overdue: bool


def payment_rows(budget_year: BudgetYear, *, today: datetime.date | None = None) -> list[PaymentRow]:
    today = today or timezone.localdate()
    return [PaymentRow(payment=p, overdue=p.is_overdue(today)) for p in budget_year.payments.order_by("quarter")]


def overdue_payments_for(user: User, *, today: datetime.date | None = None) -> QuerySet[AdvancePayment]:
    today = today or timezone.localdate()
    return (
        AdvancePayment.objects.filter(
            budget_year__agreement__in=agreements_for(user), paid_on__isnull=True, due_on__lt=today
        )
        .select_related("budget_year")
        .order_by("due_on")
    )


# --- Travel and lodging per district ---------------------------------------------------------


def _travel_page_keys_portable(
    arguments: dict[str, Any], values: list[Any] | None, *, going_back: bool
) -> list[tuple[Any, ...]]:
    costs = TravelCost.objects.filter(agreement_id__in=arguments["agreements"])
    ordering = ["district__name", "-incurred_on", "-pk"]
    if values is not None:
        name, day, pk = values
        before, after = ("gt", "lt") if going_back else ("lt", "gt")
        costs = costs.filter(
            Q(**{f"district__name__{after}": name})
            | Q(district__name=name, **{f"incurred_on__{before}": day})
            | Q(district__name=name, incurred_on=day, **{f"pk__{before}": pk})
        )
    if going_back:
        ordering = ["-district__name", "incurred_on", "pk"]
    return list(costs.order_by(*ordering).values_list("pk", "district__name", "incurred_on")[: arguments["limit"]])


def travel_summary_by_district(travel_costs: QuerySet[TravelCost]) -> list[Mapping[str, Any]]:
    """One row per placing district: how many entries, children and the sum to bill (2 queries).

    Grouped by the district's id, the sums are read in the order of the covering index
    travel_cost_district_sums with no sort and no table read; the districts' names come after."""
    sums = (
        travel_costs.order_by()
        .values("district_id")
        .annotate(
            entries=Count("*"),
            children=Count("child_pseudonym", distinct=True),
            travel_ore=Sum("amount_ore", filter=Q(kind=TravelCost.Kind.TRAVEL)),
            lodging_ore=Sum("amount_ore", filter=Q(kind=TravelCost.Kind.LODGING)),
            total_ore=Sum("amount_ore"),
        )
        .order_by("district_id")
    )
    by_district: dict[int, dict[str, Any]] = {row["district_id"]: dict(row) for row in sums}
    # Ordered by the database, as the list is: its collation puts Å, Ä and Ö where Swedish does.
    districts = District.objects.filter(pk__in=by_district).order_by("name").values_list("pk", "name")
    for pk, name in districts:
        by_district[pk]["district__name"] = name
    return [by_district[pk] for pk, _name in districts]


# --- Groups and children, counts only ---------------------------------------------------------


@dataclass(frozen=True)
class GroupCounts:
    groups: int
    children: int


def _year_groups(agreement: Agreement, start: datetime.date, end: datetime.date) -> QuerySet[SupportGroup]:

    # A support weekend counts once: its subgroups are parts of one intervention.
    return SupportGroup.objects.filter(
        agreement=agreement, parent__isnull=True, starts_on__gte=start, starts_on__lte=end
    ).exclude(status=GroupStatus.CANCELLED)


def held_meeting_days(group_ids: list[int]) -> dict[int, list[datetime.date]]:
    """Per group, the local days of its meetings confirmed as held: what the rule of a group
    carried out reads (finance/rules.py). Two columns a meeting, not the meetings themselves: a
    national provider's year holds thousands."""
    days: dict[int, list[datetime.date]] = {}
    held = Meeting.objects.filter(group_id__in=group_ids, held_confirmed_at__isnull=False)
    for group_id, starts_at in held.values_list("group_id", "starts_at"):
        days.setdefault(group_id, []).append(timezone.localdate(starts_at))
    return days


def group_counts(budget_year: BudgetYear) -> GroupCounts:
    """Groups of the year carried out by the year's end (finance/rules.py: started, not merely
    "not cancelled") and the distinct children placed in them."""

    today = timezone.localdate()
    year_groups = list(_year_groups(budget_year.agreement, budget_year.starts_on, budget_year.ends_on))
    held_on = held_meeting_days([group.pk for group in year_groups])
    groups = [
        group
        for group in year_groups
        if finance_rules.group_carried_out(
            group, held_on=held_on.get(group.pk, ()), termination_date=budget_year.ends_on, today=today
        ).counts
    ]
    return GroupCounts(groups=len(groups), children=children_placed_in([group.pk for group in groups]))


def target_status_for(
    agreement: Agreement | None, *, on: datetime.date | None = None
) -> finance_rules.TargetStatus | None:
    """This agreement year's groups (started or planned, not cancelled) and the children placed in
    them against the targets prorated to `on` (today); the rule is finance/rules.py's. None when
    the agreement is not in force on that day."""
    on = on or timezone.localdate()
    if agreement is None or not agreement.starts_on <= on <= agreement.ends_on:
        return None
    starts_on = max(agreement.starts_on, datetime.date(on.year, 1, 1))
    ends_on = min(agreement.ends_on, datetime.date(on.year, 12, 31))
    group_ids = list(_year_groups(agreement, starts_on, ends_on).values_list("pk", flat=True))
    children = children_placed_in(group_ids)
    return finance_rules.target_status(
        year=on.year,
        starts_on=starts_on,
        on=on,
        target_groups=agreement.target_groups_per_year,
        target_children=agreement.target_children_per_year,
        groups=len(group_ids),
        children=children,
    )


# --- The annual report ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AnnualReportFigures:
    budget_year: BudgetYear
    agreement: Agreement
    budget: BudgetVsActual
    advances_scheduled_ore: int
    advances_received_ore: int
    payments: list[AdvancePayment]
    fees_count: int
    fees_invoiced_ore: int
    fees_paid_ore: int
    fee_reinvestment: str
    counts: GroupCounts


@report_reads()
def annual_report_figures(budget_year: BudgetYear) -> AnnualReportFigures:
    """Everything the annual financial report shows, in a fixed number of queries."""
    payments = list(budget_year.payments.order_by("quarter"))
    # The year's fees: one per child (IOP 3.2), voided ones (a child who never started) left out.
    fees = ExternalFee.objects.filter(
        agreement=budget_year.agreement, year=budget_year.year, voided_at__isnull=True
    ).aggregate(count=Count("id"), invoiced=Sum("amount_ore"), paid=Sum("amount_ore", filter=Q(paid_on__isnull=False)))
    return AnnualReportFigures(
        budget_year=budget_year,
        agreement=budget_year.agreement,
        budget=budget_vs_actual(budget_year),
        advances_scheduled_ore=sum(p.amount_ore for p in payments),
        advances_received_ore=sum(p.amount_ore for p in payments if p.paid_on),
        payments=payments,
        fees_count=fees["count"],
        fees_invoiced_ore=fees["invoiced"] or 0,
        fees_paid_ore=fees["paid"] or 0,
        fee_reinvestment=budget_year.fee_reinvestment,
        counts=group_counts(budget_year),
    )


def latest_report(budget_year: BudgetYear) -> AnnualReport | None:
    return budget_year.reports.select_related("job").order_by("-created_at").first()


# --- The termination settlement (rule in finance/settlement.py) -----------------------------


@dataclass(frozen=True)
class SettlementGroup:
    name: str
    status: str
    starts_on: datetime.date | None
    counts: bool
    reason: str


@dataclass
class Settlement:
    agreement: Agreement
    termination_date: datetime.date
    budget_year: BudgetYear
    year_budget_ore: int
    target_groups: int
    paid_payments: list[AdvancePayment] = field(default_factory=list)
    # The year's groups up to the termination date, each with whether it counts and why.
    considered: list[SettlementGroup] = field(default_factory=list)
    amounts: SettlementAmounts | None = None

    @property
    def groups(self) -> list[SettlementGroup]:
        """The interventions carried out: the groups that count."""
        return [group for group in self.considered if group.counts]

    @property
    def groups_not_counted(self) -> list[SettlementGroup]:
        return [group for group in self.considered if not group.counts]

    @property
    def advances_paid_ore(self) -> int:
        return sum(p.amount_ore for p in self.paid_payments)


def settlement_for(agreement: Agreement, termination_date: datetime.date) -> Settlement | None:
    """The settlement of the agreement year the termination date falls in; None outside the period."""
    budget_year = (
        agreement.budget_years.filter(starts_on__lte=termination_date, ends_on__gte=termination_date)
        .select_related("agreement")
        .first()
    )
    if budget_year is None:
        return None
    # Every top-level group of the year with a first meeting up to the termination date (and the
    # cancelled ones, to show why they do not count); the rule is finance/rules.py's.
    year_groups = SupportGroup.objects.filter(
        agreement=agreement,
        parent__isnull=True,
        starts_on__gte=budget_year.starts_on,
        starts_on__lte=min(budget_year.ends_on, termination_date),
    ).order_by("starts_on", "name")
    today = timezone.localdate()
    held_on = held_meeting_days([group.pk for group in year_groups])
    considered = []
    for group in year_groups:
        verdict = finance_rules.group_carried_out(
            group, held_on=held_on.get(group.pk, ()), termination_date=termination_date, today=today
        )
        considered.append(
            SettlementGroup(
                name=group.name,
                status=group.get_status_display(),
                starts_on=group.starts_on,
                counts=verdict.counts,
                reason=verdict.reason,
            )
        )
    year_budget = sum(p.amount_ore for p in budget_year.payments.all())
    settlement = Settlement(
        agreement=agreement,
        termination_date=termination_date,
        budget_year=budget_year,
        year_budget_ore=year_budget,
        target_groups=agreement.target_groups_per_year,
        paid_payments=list(budget_year.payments.filter(paid_on__isnull=False).order_by("quarter")),
        considered=considered,
    )
    settlement.amounts = settlement_amounts(
        year_budget_ore=year_budget,
        target_groups=settlement.target_groups,
        groups_carried_out=len(settlement.groups),
        advances_paid_ore=settlement.advances_paid_ore,
    )
    return settlement


def travel_referrals_for(user: User) -> QuerySet[Referral]:
    """Children travel and lodging can be recorded for: accepted by Bris, in the user's agreements."""

    return (
        Referral.objects.filter(agreement__in=agreements_for(user), status__in=IDENTITY_VISIBLE_TO_PROVIDER)
        .select_related("district", "agreement")
        .order_by("district__name", "pseudonym")
    )


def audit_entries_for(user: User) -> QuerySet[FinanceAuditEntry]:

    return FinanceAuditEntry.objects.filter(agreement__in=agreements_for(user)).select_related("by", "budget_year")


# --- For the follow-up report (followup/report.py) ----------------------------------------------


@dataclass(frozen=True)
class BudgetComparison:
    budget_ore: int
    actual_ore: int

    @property
    def difference_ore(self) -> int:
        return self.budget_ore - self.actual_ore


def budget_against_costs(
    *, agreement: Agreement, start: datetime.date, end: datetime.date, months: int
) -> BudgetComparison:
    """The budget of a period of `months` months against the costs booked in it, in integer öre.
    A part of a year gets that share of the annual budget, rounded down to the öre."""
    budget = agreement.annual_budget_ore * months // 12
    actual = (
        Cost.objects.filter(budget_year__agreement=agreement, spent_on__range=(start, end)).aggregate(
            total=Sum("amount_ore")
        )["total"]
        or 0
    )
    return BudgetComparison(budget_ore=budget, actual_ore=actual)
