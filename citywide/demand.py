"""Demand against capacity, city-wide (issue 16; the city's proposal, 004: "see that every
district can offer group support in all three areas").

Per district × target group × term: interests and referrals received, children waiting now with
the median and 90th percentile of their waiting time, children placed in the term and how long
they had waited, places offered and filled by the groups of the district's area, the districts
with no offer at all, and a forecast for the next term.

Every figure is an aggregate made in the database: a fixed number of queries (see
`demand_dashboard`) whatever the number of children, groups or years. Counts of children are
protected like the follow-up report's (followup/report.py): a count of 1–4 is "färre än 5" and
complementary suppression hides enough others in the district breakdown that none can be worked
out from the total. The page's other tables add up the same children (the waiting per district,
the chart's demand per term), so they show a figure only where it is a sum of figures shown
(see `_demand_is_sum_of_shown_totals` and the waiting per district in `demand_dashboard`).
"""

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from coordination.models import Participant, PublicInterest
from followup.cooperation import term_bounds, term_of
from followup.models import Term
from followup.report import Count_, breakdown_protected, is_small_total, with_complementary_suppression
from groups.models import Audience, GroupStatus, Placement, SupportGroup
from partnership.models import District, TargetGroup
from partnership.statistics import SMALL_CELL
from referrals.models import InterestRegistration, InterestRegistrationPurge, Referral, ReferralStatus

from .models import ReceivedInTerm
from .sql import DaysBetween, Percentile, days_since

if TYPE_CHECKING:  # django-stubs-ext is a development dependency
    from django_stubs_ext import StrPromise

# How the next term is forecast, in the page's words (shown beside the forecast).
FORECAST_TERMS = 3
FORECAST_METHOD = gettext_lazy(
    "Prognosen för nästa termin är medelvärdet av efterfrågan (intresseanmälningar och anmälningar) "
    "under de tre senaste terminerna till och med den valda, avrundat uppåt. En pågående termin "
    "räknas med det som har kommit in hittills. Metoden följer en jämn efterfrågan men inte en "
    "plötslig ökning: jämför med terminens egna siffror."
)
# How many terms the chart of demand and places goes back.
CHART_TERMS = 6
WAITING_STATUSES = [ReferralStatus.READY, ReferralStatus.WAITING_LIST]
# Groups that offer children places: not a parents' group, not cancelled.
OFFERING_STATUSES = [GroupStatus.PLANNED, GroupStatus.OPEN, GroupStatus.RUNNING, GroupStatus.CLOSED]
WHOLE_CITY = None  # the area of a group for the whole city (SupportGroup.district empty)

TermKey = tuple[int, str]


def previous_term(term: TermKey) -> TermKey:
    year, half = term
    return (year, Term.SPRING) if half == Term.AUTUMN else (year - 1, Term.AUTUMN)


def next_term(term: TermKey) -> TermKey:
    year, half = term
    return (year, Term.AUTUMN) if half == Term.SPRING else (year + 1, Term.SPRING)


def chronological(term: TermKey) -> tuple[int, int]:
    """A sort key: spring before autumn in a year (sorted as text, "autumn" came first)."""
    return term[0], 0 if term[1] == Term.SPRING else 1


def terms_back(term: TermKey, count: int) -> list[TermKey]:
    """`count` terms ending with `term`, oldest first."""
    terms = [term]
    while len(terms) < count:
        terms.insert(0, previous_term(terms[0]))
    return terms


def term_label(term: TermKey) -> str:
    return f"{Term(term[1]).label} {term[0]}"


def term_code(term: TermKey) -> str:
    return f"{term[0]}-{term[1]}"


def parse_term(code: str) -> TermKey | None:
    year, _sep, half = (code or "").partition("-")
    if not year.isdigit() or half not in (Term.SPRING, Term.AUTUMN) or not 1990 <= int(year) <= 2200:
        return None
    return int(year), half


def _term_of(expression) -> dict:
    """Annotations that put a row in its term: the year and the month (January–June is spring)."""
    return {"term_year": ExtractYear(expression), "term_month": ExtractMonth(expression)}


TERM_VALUES = ("term_year", "term_month")


def _term_key(row) -> TermKey:
    return row["term_year"], Term.SPRING if row["term_month"] <= 6 else Term.AUTUMN


def _window(terms: list[TermKey]) -> tuple[datetime.date, datetime.date]:
    return term_bounds(*terms[0])[0], term_bounds(*terms[-1])[1]


def _datetime_window(terms: list[TermKey]) -> tuple[datetime.datetime, datetime.datetime]:
    start, end = _window(terms)
    zone = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=zone),
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone),
    )


# --- The figures ---------------------------------------------------------------------------------


@dataclass
class Figure:
    """A count of children, or a waiting time computed from `count` children: shown only when it
    cannot point at a child."""

    value: float | None
    count: int

    @property
    def suppressed(self) -> bool:
        return 0 < self.count < SMALL_CELL

    def display(self) -> str:
        if self.count == 0 or self.value is None:
            return "–"
        if self.suppressed:
            return _("färre än %(n)s") % {"n": SMALL_CELL}
        return f"{round(self.value)}"


@dataclass(kw_only=True)
class Row:
    """One district (or the whole city's area) within one target group and term. Every cell is
    always given (a hidden count is still a Count_, marked suppressed), so the cells have no
    default and are passed by keyword."""

    district: District | None
    interests: Count_
    referrals: Count_
    waiting: Count_
    waiting_median: Figure
    waiting_p90: Figure
    placed: Count_
    placed_wait_median: Figure
    placed_wait_p90: Figure
    groups: int = 0
    places_offered: int = 0
    places_filled: Count_
    forecast: Count_
    has_offer: bool = False

    @property
    def name(self) -> str:
        return self.district.name if self.district else _("Hela staden (grupper för alla stadsdelar)")


@dataclass
class Block:
    """A target group's districts in the chosen term, with its totals."""

    target_group: TargetGroup
    rows: list[Row]
    total: Row
    districts_without_offer: list[District] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.target_group.display_name(get_language() or "sv")


@dataclass
class Dashboard:
    term: TermKey
    next_term: TermKey
    target_group: TargetGroup | None
    blocks: list[Block]
    waiting_by_district: list[tuple[str, Figure, Figure, Count_]]
    trend: list[dict]
    forecast_method: "StrPromise" = FORECAST_METHOD  # translated when the page shows it
    small_cell: int = SMALL_CELL

    @property
    def term_label(self) -> str:
        return term_label(self.term)

    @property
    def next_term_label(self) -> str:
        return term_label(self.next_term)


# --- The queries ---------------------------------------------------------------------------------


def _tg_filter(prefix: str, target_group: TargetGroup | None) -> Q:
    return Q(**{prefix: target_group.pk}) if target_group else Q()


def _received(terms: list[TermKey], target_group) -> dict[tuple, dict[str, int]]:
    """(district, target group, term) -> interests and referrals received. A closed term's
    referrals and registrations are counted once and kept (ReceivedInTerm); the open term's, any
    closed term not counted yet, and every term's public interests are counted in one query."""
    today = timezone.localdate()
    closed = {term for term in terms if term_bounds(*term)[1] < today}
    kept = {
        (row.year, row.term): row.counts
        for row in ReceivedInTerm.objects.filter(year__in={year for year, _half in closed})
        if (row.year, row.term) in closed
    }
    to_count = [term for term in terms if term not in kept]
    start, end = _datetime_window(terms)
    public = PublicInterest.objects.filter(created_at__gte=start, created_at__lt=end).filter(
        _tg_filter("target_group", target_group)
    )
    parts = _received_parts(to_count) if to_count else []
    parts.append(_by_term(public, "target_group_id", "created_at", "public"))
    received: dict[tuple, dict[str, int]] = defaultdict(lambda: {"interests": 0, "referrals": 0})
    counted: dict[tuple, dict[str, int]] = defaultdict(lambda: {"interests": 0, "referrals": 0})
    for row in parts[0].union(*parts[1:], all=True):
        key = (row["d"], row["tg"], _term_key(row))
        if key[2] not in terms:
            continue  # a query's window may span terms kept already: those are left out
        if row["kind"] == "public":
            received[key]["interests"] += row["n"]
        elif key[2] in to_count:
            counted[key][row["kind"]] += row["n"]
    ReceivedInTerm.objects.bulk_create(
        [
            ReceivedInTerm(year=term[0], term=term[1], counts=_counts_in(counted, term))
            for term in to_count
            if term in closed
        ],
        ignore_conflicts=True,  # a concurrent view counted it first: the same figures
    )

    wanted = target_group.pk if target_group else None
    for term, counts in kept.items():
        for district_id, target_group_id, referrals, interests in counts:
            if wanted is None or target_group_id == wanted:
                received[(district_id, target_group_id, term)]["referrals"] += referrals
                received[(district_id, target_group_id, term)]["interests"] += interests
    for key, value in counted.items():
        if wanted is None or key[1] == wanted:
            received[key]["referrals"] += value["referrals"]
            received[key]["interests"] += value["interests"]
    return received


def _counts_in(counted: dict[tuple, dict[str, int]], term: TermKey) -> list[list]:
    return [[d, tg, n["referrals"], n["interests"]] for (d, tg, when), n in counted.items() if when == term]


def _by_term(queryset, target: str, when: str, kind: str):
    """The rows counted per district, target group and month (kind names what is counted)."""
    return (
        queryset.order_by()
        .annotate(kind=Value(kind), d=F("district_id"), tg=F(target), **_term_of(when))
        .values("kind", "d", "tg", *TERM_VALUES)
        .annotate(n=Count("pk"))
    )


def _received_parts(terms: list[TermKey]) -> list:
    """Referrals and interest registrations (purged or not) received in these terms, every target
    group: three counts, read as one query with the public interests."""
    start, end = _datetime_window(sorted(terms, key=chronological))
    first, last = _window(sorted(terms, key=chronological))
    referrals = Referral.objects.filter(created_at__gte=start, created_at__lt=end)
    registrations = InterestRegistration.objects.filter(created_at__gte=start, created_at__lt=end)
    # A purged registration leaves its anonymous record: it was received all the same.
    purged = InterestRegistrationPurge.objects.filter(registered_on__range=(first, last))
    return [
        _by_term(referrals, "agreement__target_group_id", "created_at", "referrals"),
        _by_term(registrations, "agreement__target_group_id", "created_at", "interests"),
        _by_term(purged, "agreement__target_group_id", "registered_on", "interests"),
    ]


def _waiting_now(now, target_group, *, by_target_group: bool = True) -> dict[tuple, dict]:
    """(district, target group) -> children waiting now, median and 90th percentile of the days
    they have waited (since the referral was ready, or made). One query."""
    waited = days_since(now, Coalesce("ready_at", "created_at"))
    keys = ["district_id", "agreement__target_group_id"] if by_target_group else ["district_id"]
    rows = (
        Referral.objects.filter(status__in=WAITING_STATUSES, purged_at__isnull=True)
        .filter(_tg_filter("agreement__target_group", target_group))
        .order_by()
        .values(*keys)
        .annotate(n=Count("pk"), median=Percentile(waited, 0.5), p90=Percentile(waited, 0.9))
    )
    return {tuple(row[key] for key in keys): row for row in rows}


_GROUP_TARGET = Coalesce("target_group_id", "agreement__target_group_id")


def _placed(terms: list[TermKey], target_group) -> dict[tuple, dict]:
    """(district of the child, target group, term of the group's start) -> children placed, and
    the median and 90th percentile of the days from referral to place. Two queries: the term's
    groups, then their placements through the index by group, joined to their referrals by key.
    (Each child's referral read by a subquery instead cost three index probes per placement: on
    the bench's data 126 → 52–78 ms for a term of 5 000 placements, 700 → 300–480 ms for 52 000.)"""
    first, last = _window(terms)
    waited = DaysBetween(F("created_at"), F("referral__created_at"))
    target = Coalesce("group__target_group_id", "group__agreement__target_group_id")
    groups = (
        SupportGroup.objects.filter(starts_on__range=(first, last))
        .exclude(status=GroupStatus.CANCELLED)
        .filter(_group_target_filter(target_group))
        .order_by()
    )
    rows = (
        Placement.objects.filter(removed_at__isnull=True, group_id__in=list(groups.values_list("pk", flat=True)))
        .filter(group__starts_on__range=(first, last))  # the same groups: lets the join read them by index
        .order_by()
        .annotate(d=F("referral__district_id"), tg=target, **_term_of("group__starts_on"))
        .values("d", "tg", *TERM_VALUES)
        .annotate(n=Count("pk"), median=Percentile(waited, 0.5), p90=Percentile(waited, 0.9))
    )
    return {(row["d"], row["tg"], _term_key(row)): row for row in rows}


def _group_target_filter(target_group, prefix: str = "") -> Q:
    if not target_group:
        return Q()
    return Q(**{f"{prefix}target_group": target_group}) | Q(
        **{f"{prefix}target_group__isnull": True, f"{prefix}agreement__target_group": target_group}
    )


def _offering_groups(terms: list[TermKey], target_group):
    first, last = _window(terms)
    return (
        SupportGroup.objects.filter(parent__isnull=True, status__in=OFFERING_STATUSES, starts_on__range=(first, last))
        .exclude(audience=Audience.PARENTS)
        .filter(_group_target_filter(target_group))
    )


def _offered(terms: list[TermKey], target_group) -> dict[tuple, dict]:
    """(area, target group, term of the start) -> groups and places offered. One query. A weekend
    split into subgroups offers its places once, through the weekend."""
    groups = _offering_groups(terms, target_group)
    return {
        (row["district_id"], row["tg"], _term_key(row)): row
        for row in groups.order_by()
        .annotate(tg=_GROUP_TARGET, **_term_of("starts_on"))
        .values("district_id", "tg", *TERM_VALUES)
        .annotate(groups=Count("pk"), places=Sum("agreement__max_group_size"))
    }


def _filled(terms: list[TermKey], target_group) -> dict[tuple, int]:
    """(area, target group, term of the start) -> places filled: children placed through a
    referral, and the children a provider outside the IOP took in. Two queries, for the chosen
    term only (the chart's terms need places offered, not filled)."""
    groups = _offering_groups(terms, target_group)
    filled: dict[tuple, int] = defaultdict(int)
    # A child placed in a weekend's subgroup fills a place of the weekend. The groups and their
    # subgroups are read first, each half through an index (the term's groups by their start, the
    # subgroups by their parent), and the placements then by group through theirs, the groups
    # joined by key. (As one subquery with OR, PostgreSQL misjudged the list as most groups and
    # read every group and placement.) Placements and participants are counted in one query.
    term_groups = groups.order_by().values_list("pk", flat=True)
    subgroups = SupportGroup.objects.filter(parent__in=term_groups).order_by().values_list("pk", flat=True)
    holders = list(term_groups.union(subgroups, all=True))
    counts = [
        model.objects.filter(group_id__in=holders, removed_at__isnull=True)
        .order_by()
        .annotate(
            area=Coalesce("group__parent__district_id", "group__district_id"),
            tg=Coalesce(
                "group__parent__target_group_id",
                "group__target_group_id",
                "group__agreement__target_group_id",
            ),
            **_term_of(Coalesce("group__parent__starts_on", "group__starts_on")),
        )
        .values("area", "tg", *TERM_VALUES)
        .annotate(n=Count("pk"))
        for model in (Placement, Participant)
    ]
    for row in counts[0].union(counts[1], all=True):
        filled[(row["area"], row["tg"], _term_key(row))] += row["n"]
    return filled


def _areas_with_offer(term: TermKey, target_group) -> set[tuple]:
    """(area, target group) of every group offering places in the term (running in it at any
    time, not only starting). One query."""
    start, end = term_bounds(*term)
    rows = (
        SupportGroup.objects.filter(parent__isnull=True, status__in=OFFERING_STATUSES, starts_on__lte=end)
        .filter(Q(ends_on__gte=start) | Q(ends_on__isnull=True))
        .exclude(audience=Audience.PARENTS)
        .filter(_group_target_filter(target_group))
        .order_by()
        .annotate(tg=_GROUP_TARGET)
        .values_list("district_id", "tg")
        .distinct()
    )
    return set(rows)


# --- The dashboard -------------------------------------------------------------------------------


def _count(value: int) -> Count_:
    return Count_("", value)


def _figure(row: dict | None, key: str) -> Figure:
    if not row:
        return Figure(None, 0)
    return Figure(row[key], row["n"])


def _suppress_column(rows: list[Row], total: Row, attribute: str) -> bool:
    """Complementary suppression of one column of a block; False if the total must be hidden."""
    cells = [getattr(row, attribute) for row in rows]
    total_cell = getattr(total, attribute)
    protected = with_complementary_suppression(cells, total=total_cell.count)
    for row, cell in zip(rows, protected, strict=True):
        setattr(row, attribute, cell)
    if is_small_total(total_cell.count):
        setattr(total, attribute, replace(total_cell, complementary=False))
    return breakdown_protected(protected, total=total_cell.count)


SUPPRESSED_COLUMNS = ("interests", "referrals", "waiting", "placed", "places_filled", "forecast")


def _protect(rows: list[Row], total: Row) -> None:
    for attribute in SUPPRESSED_COLUMNS:
        if not _suppress_column(rows, total, attribute):
            # Hiding counts is not enough while the total shows (4 and 4 of 8): hide it all.
            setattr(total, attribute, replace(getattr(total, attribute), complementary=True))
            for row in rows:
                setattr(row, attribute, replace(getattr(row, attribute), complementary=True))
    # A waiting time from fewer than five children is hidden (Figure.suppressed); one whose count
    # is hidden by complementary suppression goes with it.
    for row in rows:
        if row.waiting.suppressed:
            row.waiting_median = Figure(row.waiting_median.value, min(row.waiting_median.count, SMALL_CELL - 1))
            row.waiting_p90 = Figure(row.waiting_p90.value, min(row.waiting_p90.count, SMALL_CELL - 1))
        if row.placed.suppressed:
            row.placed_wait_median = Figure(row.placed_wait_median.value, min(row.placed_wait_median.count, 4))
            row.placed_wait_p90 = Figure(row.placed_wait_p90.value, min(row.placed_wait_p90.count, 4))


def _demand_is_sum_of_shown_totals(received, term: TermKey, district_pks: set, target_pks: set) -> bool:
    """Whether a term's demand in the chart (interests and referrals together) is the sum of totals
    the term's own page shows: every target group's interests and referrals totals (shown as
    _protect leaves them: not 1–4, and their district breakdown protectable), and nothing from a
    district or target group outside the page. Otherwise the chart, less the shown totals, would
    give a hidden one away."""
    for target in target_pks:
        for kind in ("interests", "referrals"):
            counts = [received.get((district, target, term), {}).get(kind, 0) for district in district_pks]
            total = sum(counts)
            cells = with_complementary_suppression([Count_(str(n), c) for n, c in enumerate(counts)], total=total)
            if is_small_total(total) or not breakdown_protected(cells, total=total):
                return False
    return not any(
        sum(value.values())
        for (district, target, in_term), value in received.items()
        if in_term == term and (district not in district_pks or target not in target_pks)
    )


def demand_dashboard(*, term: TermKey, target_group: TargetGroup | None = None, now=None) -> Dashboard:
    """Every figure of the dashboard for one term (and one target group, or all), in 13 queries
    whatever the data: districts and target groups (2), received (4), waiting now (2), placed (1),
    offered and filled (3), the areas with an offer (1)."""
    now = now or timezone.now()
    districts = list(District.objects.filter(is_active=True).order_by("name"))
    target_groups = [target_group] if target_group else list(TargetGroup.objects.order_by("name"))
    forecast_terms = terms_back(term, FORECAST_TERMS)
    chart_terms = terms_back(term, CHART_TERMS)
    # Oldest first: the queries read from the first term's start to the last one's end.
    window = sorted(set(forecast_terms) | set(chart_terms), key=chronological)

    received = _received(window, target_group)
    waiting = _waiting_now(now, target_group)
    waiting_district = _waiting_now(now, target_group, by_target_group=False)
    placed = _placed([term], target_group)
    offered = _offered(window, target_group)
    filled = _filled([term], target_group)
    with_offer = _areas_with_offer(term, target_group)

    blocks = []
    for target in target_groups:
        whole_city_offer = (WHOLE_CITY, target.pk) in with_offer
        rows = []
        for district in [*districts, None]:
            key = (district.pk if district else None, target.pk)
            term_key = (*key, term)
            demand = received.get(term_key, {"interests": 0, "referrals": 0})
            history = [sum(received.get((*key, past), {}).values()) for past in forecast_terms]
            waiting_row = waiting.get(key)
            placed_row = placed.get(term_key)
            offered_row = offered.get(term_key, {"groups": 0, "places": 0})
            row = Row(
                district=district,
                interests=_count(demand["interests"]),
                referrals=_count(demand["referrals"]),
                waiting=_count(waiting_row["n"] if waiting_row else 0),
                waiting_median=_figure(waiting_row, "median"),
                waiting_p90=_figure(waiting_row, "p90"),
                placed=_count(placed_row["n"] if placed_row else 0),
                placed_wait_median=_figure(placed_row, "median"),
                placed_wait_p90=_figure(placed_row, "p90"),
                groups=offered_row["groups"],
                places_offered=offered_row["places"] or 0,
                places_filled=_count(filled.get(term_key, 0)),
                forecast=_count(math.ceil(sum(history) / FORECAST_TERMS)),
                has_offer=whole_city_offer or key in with_offer,
            )
            if district is None and not row.groups and not row.places_filled.count:
                continue  # no whole-city group: no row for it
            rows.append(row)
        total = Row(
            district=None,
            interests=_count(sum(row.interests.count for row in rows)),
            referrals=_count(sum(row.referrals.count for row in rows)),
            waiting=_count(sum(row.waiting.count for row in rows)),
            waiting_median=Figure(None, 0),
            waiting_p90=Figure(None, 0),
            placed=_count(sum(row.placed.count for row in rows)),
            placed_wait_median=Figure(None, 0),
            placed_wait_p90=Figure(None, 0),
            groups=sum(row.groups for row in rows),
            places_offered=sum(row.places_offered for row in rows),
            places_filled=_count(sum(row.places_filled.count for row in rows)),
            forecast=_count(sum(row.forecast.count for row in rows)),
        )
        _protect(rows, total)
        blocks.append(
            Block(
                target_group=target,
                rows=rows,
                total=total,
                districts_without_offer=[row.district for row in rows if row.district and not row.has_offer],
            )
        )

    # The waiting per district (all the chosen target groups together) adds up the blocks' cells of
    # the district: shown beside a hidden one it would give it away (the district's count less its
    # shown cells). So it is shown only where every cell of the district is, and then adds nothing.
    hidden_somewhere = {
        row.district.pk for block in blocks for row in block.rows if row.district and row.waiting.suppressed
    }
    waiting_by_district = []
    for district in districts:
        waiting_row = waiting_district.get((district.pk,))
        count = _count(waiting_row["n"] if waiting_row else 0)
        median, p90 = _figure(waiting_row, "median"), _figure(waiting_row, "p90")
        if district.pk in hidden_somewhere:
            count = replace(count, complementary=True)
            median = Figure(median.value, min(median.count, SMALL_CELL - 1))
            p90 = Figure(p90.value, min(p90.count, SMALL_CELL - 1))
        waiting_by_district.append((district.name, median, p90, count))

    trend = []
    district_pks = {district.pk for district in districts}
    target_pks = {target.pk for target in target_groups}
    for past in chart_terms:
        received_in_term = sum(sum(value.values()) for key, value in received.items() if key[2] == past)
        places = sum(row["places"] or 0 for key, row in offered.items() if key[2] == past)
        in_chart = _count(received_in_term)
        if not in_chart.small and not _demand_is_sum_of_shown_totals(received, past, district_pks, target_pks):
            in_chart = replace(in_chart, complementary=True)
        trend.append({"term": past, "label": term_label(past), "demand": in_chart, "places": places})

    return Dashboard(
        term=term,
        next_term=next_term(term),
        target_group=target_group,
        blocks=blocks,
        waiting_by_district=waiting_by_district,
        trend=trend,
    )


def current_term() -> TermKey:
    return term_of(timezone.localdate())
