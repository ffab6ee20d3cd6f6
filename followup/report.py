"""The follow-up report (uppföljning, IOP 4.2) for a term or a year: groups held, children reached
against the targets, who they were (counts, small cells suppressed), waiting times, evaluation
outcomes with SVG charts, information work and finance in brief. The same figures feed the HTML
page and the PDF, which is made by a Celery task and put on the next cooperation meeting's agenda.

No child is named anywhere in the report: it is built from counts and anonymous answer sets only.
"""

import datetime
import logging
import math
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from finance.selectors import BudgetComparison, budget_against_costs
from groups.models import GroupFormat, SupportGroup
from partnership.jobs import job_progress, job_request
from partnership.models import Agreement
from partnership.pdf import render_pdf
from partnership.replica import report_reads

from .cooperation import agenda_item_add, agreements_for, next_meeting, term_bounds
from .evaluation import AGE_BANDS, SMALL_CELL, Outcomes, age_band_for, evaluation_outcomes, placed_children
from .models import FollowUpReport, InformationMeeting, Term

logger = logging.getLogger(__name__)

FOLLOWUP_REPORT_JOB = "followup.report"

ACTIVE_GROUP_STATUSES = ["running", "closed"]


def period_bounds(year: int, term: str) -> tuple[datetime.date, datetime.date]:
    return term_bounds(year, term) if term else (datetime.date(year, 1, 1), datetime.date(year, 12, 31))


def period_label(year: int, term: str) -> str:
    return f"{Term(term).label} {year}" if term else str(year)


@dataclass(frozen=True)
class Count_:
    """A count shown only when it cannot point at a child: 0 or at least SMALL_CELL."""

    label: str
    count: int
    # Hidden although not small, so that a small one cannot be worked out from the total and
    # the counts shown ("dold"); every cell of a breakdown whose total is hidden is one too.
    complementary: bool = False

    @property
    def small(self) -> bool:
        return 0 < self.count < SMALL_CELL

    @property
    def suppressed(self) -> bool:
        return self.complementary or self.small


def is_small_total(total: int) -> bool:
    """A total of 1–4 children is hidden like any small count."""
    return 0 < total < SMALL_CELL


def _a_small_cell_can_be_worked_out(hidden: list[Count_], remainder: int) -> bool:
    """Can a reader who sees the total and the shown counts pin down a hidden small count?

    The reader knows the hidden counts add up to `remainder`, that a small one ("färre än 5") is
    1–4 and that a complementary one ("dold", never a zero: see below) is at least SMALL_CELL.
    A small count is pinned when the lowest and the highest value the others leave it are equal."""
    bounds = [(1, SMALL_CELL - 1) if cell.small else (SMALL_CELL, math.inf) for cell in hidden]
    for index, cell in enumerate(hidden):
        if not cell.small:
            continue
        others_low = sum(low for other, (low, _high) in enumerate(bounds) if other != index)
        others_high = sum(high for other, (_low, high) in enumerate(bounds) if other != index)
        lowest = max(1, remainder - others_high)
        highest = min(SMALL_CELL - 1, remainder - others_low)
        if lowest >= highest:
            return True
    return False


def with_complementary_suppression(cells: list[Count_], *, total: int) -> list[Count_]:
    """Hide the small counts of a breakdown of `total`, and enough others that none of them can be
    worked out from the total and what is shown (complementary suppression).

    - A small total (1–4): every cell is hidden, zeros too, so that nothing of the breakdown shows.
    - Otherwise, while a hidden small count could be pinned down, the smallest shown non-zero count
      is hidden too. Zeros are never hidden as complements: a hidden zero would reveal a small
      neighbour just the same (total minus the others leaves only the small one).
    - If every non-zero count is hidden and a small one can still be pinned (4 and 4 of 8), the
      caller hides the total and every breakdown (followup_report_data)."""
    if is_small_total(total):
        return [replace(cell, complementary=True) for cell in cells]
    cells = list(cells)
    while True:
        hidden = [cell for cell in cells if cell.suppressed]
        if not hidden:
            return cells
        remainder = total - sum(cell.count for cell in cells if not cell.suppressed)
        if not _a_small_cell_can_be_worked_out(hidden, remainder):
            return cells
        candidates = [cell for cell in cells if not cell.suppressed and cell.count > 0]
        if not candidates:
            return cells
        partner = min(candidates, key=lambda cell: cell.count)
        cells = [replace(cell, complementary=True) if cell is partner else cell for cell in cells]


def breakdown_protected(cells: list[Count_], *, total: int) -> bool:
    """False when a hidden small count could still be worked out with the total shown."""
    if is_small_total(total):
        return True
    hidden = [cell for cell in cells if cell.suppressed]
    remainder = total - sum(cell.count for cell in cells if not cell.suppressed)
    return not hidden or not _a_small_cell_can_be_worked_out(hidden, remainder)


# --- Across tables ------------------------------------------------------------------------------
#
# A page that breaks the same children down in several ways (per provider, per method, ...) can be
# differenced: a provider of 15 children that runs all of a method's groups, shown beside the
# method's 12, tells that 3 of its children follow another method, and with the means, how they
# fared. The rule (IOP 4.2: no figure may point at a child; the same principle as the follow-up
# report's complementary suppression, applied across the tables):
#
# - The reader is assumed to know which combinations exist (which provider runs which method in
#   which format, from the method library and the group lists) and sees every shown count and
#   total; the hidden counts of a table add up to the total minus its shown counts, so they count
#   as one known block. The children fall into "atoms": one per combination of the tables' blocks.
# - Whatever the reader adds and subtracts, what is worked out is a linear combination of the
#   published blocks. A set of children A can be counted exactly when its indicator over the
#   atoms lies in the span of the blocks' indicators (exact, over the rationals).
# - A published page must leave no such set of 1–4 children. Such a set holds at most four atoms
#   of 1–4 children each, so only those few combinations need checking.
# - While one exists, the smallest shown count that contains one of its atoms is hidden (with the
#   next smallest of its table if it would be hidden alone, since a lone hidden count equals the
#   remainder). Hiding only merges blocks, so what can be worked out only shrinks, and the loop
#   ends; if nothing is left to hide, the caller hides the total and every count.
#
# Means are protected with the counts: a mean shown with its count is a sum, and sums difference
# like counts. Not covered: bounds from inequalities across tables (interval disclosure) and
# differencing between pages with other filters (another year).

Atom = tuple[tuple[str, ...], int]


def _blocks(tables: list[list[Count_]], atoms: Sequence[Atom]) -> list[set[int]]:
    """The published blocks as sets of atom indices: every shown non-zero count, and per table the
    hidden counts together (known through the total)."""
    blocks = []
    for position, table in enumerate(tables):
        hidden = {cell.label for cell in table if cell.suppressed}
        for cell in table:
            if not cell.suppressed and cell.count > 0:
                blocks.append({index for index, (key, _n) in enumerate(atoms) if key[position] == cell.label})
        if hidden:
            blocks.append({index for index, (key, _n) in enumerate(atoms) if key[position] in hidden})
    return [block for block in blocks if block]


def _reducer(blocks: list[set[int]]):
    """Row-reduce the blocks' indicator vectors (exact fractions); return the function that reduces
    a vector by them: zero when the vector is a combination of the blocks."""
    pivots: list[tuple[int, dict[int, Fraction]]] = []

    def reduce(vector: dict[int, Fraction]) -> dict[int, Fraction]:
        vector = dict(vector)
        for column, row in pivots:
            factor = vector.get(column)
            if factor:
                for key, value in row.items():
                    updated = vector.get(key, Fraction(0)) - factor * value
                    if updated:
                        vector[key] = updated
                    else:
                        vector.pop(key, None)
        return vector

    for block in blocks:
        rest = reduce(dict.fromkeys(block, Fraction(1)))
        if rest:
            column = min(rest)
            scale = rest[column]
            row = {key: value / scale for key, value in rest.items()}
            # Keep the earlier rows reduced against the new pivot, so that one pass reduces.
            for index, (other_column, other) in enumerate(pivots):
                factor = other.get(column)
                if factor:
                    merged = dict(other)
                    for key, value in row.items():
                        updated = merged.get(key, Fraction(0)) - factor * value
                        if updated:
                            merged[key] = updated
                        else:
                            merged.pop(key, None)
                    pivots[index] = (other_column, merged)
            pivots.append((column, row))
    return reduce


def _summed(*vectors: dict[int, Fraction]) -> dict[int, Fraction]:
    total: dict[int, Fraction] = {}
    for vector in vectors:
        for key, value in vector.items():
            updated = total.get(key, Fraction(0)) + value
            if updated:
                total[key] = updated
            else:
                total.pop(key, None)
    return total


def _projection_weights(size: int) -> list[int]:
    """Weights for projecting a residue to one number. Any weights give the same answer (residues
    that cancel always project to numbers that cancel, and every candidate is checked exactly);
    random ones make a false candidate rare."""
    weights = random.Random(size)  # noqa: S311 # nosec B311 - not security: a hash for a lookup
    return [weights.randrange(1, 2**61) for _ in range(size)]


def small_population_worked_out(tables: list[list[Count_]], atoms: Sequence[Atom]) -> frozenset[int] | None:
    """A set of 1–4 children (as atom indices) whose count the published tables give exactly, or
    None. `atoms` are the non-zero combinations: one key per table (a cell's label) and a count."""
    small = [index for index, (_key, count) in enumerate(atoms) if 0 < count < SMALL_CELL]
    if not small:
        return None  # a set of 1–4 children holds at least one combination of 1–4
    reduce = _reducer(_blocks(tables, atoms))
    residue = {index: reduce({index: Fraction(1)}) for index in small}
    count = {index: atoms[index][1] for index in small}
    for index in small:
        if not residue[index]:
            return frozenset([index])

    def cancels(*chosen: int) -> bool:
        return len(set(chosen)) == len(chosen) and not _summed(*(residue[index] for index in chosen))

    # Two, three or four atoms whose residues cancel, together 1–4 children. Each residue is
    # projected to one number (fixed random weights): residues that cancel have projections that
    # cancel, so candidates are found by looking up the negated projection, and each is then
    # checked exactly. Quadratic in the number of small atoms, one number per step.
    weights = _projection_weights(len(atoms))
    projected = {index: sum(weights[column] * value for column, value in residue[index].items()) for index in small}
    singles: dict[Fraction, list[int]] = {}
    for index in small:
        singles.setdefault(projected[index], []).append(index)
    pair_sums: dict[Fraction, list[tuple[int, int]]] = {}
    for position, first in enumerate(small):
        for second in small[position + 1 :]:
            if count[first] + count[second] >= SMALL_CELL:
                continue
            together = projected[first] + projected[second]
            if together == 0 and cancels(first, second):
                return frozenset([first, second])
            for third in singles.get(-together, []):
                if count[first] + count[second] + count[third] < SMALL_CELL and cancels(first, second, third):
                    return frozenset([first, second, third])
            pair_sums.setdefault(together, []).append((first, second))
    for together, found in pair_sums.items():
        for first, second in found:
            for third, fourth in pair_sums.get(-together, []):
                chosen = (first, second, third, fourth)
                if sum(count[index] for index in set(chosen)) < SMALL_CELL and cancels(*chosen):
                    return frozenset(chosen)
    return None


def with_cross_table_suppression(tables: list[list[Count_]], *, atoms: Sequence[Atom]) -> list[list[Count_]] | None:
    """Hide further counts until no set of 1–4 children can be worked out from the tables together
    (the rule above). The tables come protected one by one (with_complementary_suppression) and
    share a shown total. None when that cannot be reached: the caller hides the total and all."""
    tables = [list(table) for table in tables]
    while (found := small_population_worked_out(tables, atoms)) is not None:
        shown = [
            (cell.count, position, cell.label)
            for position, table in enumerate(tables)
            for cell in table
            if not cell.suppressed and cell.count > 0
        ]
        if not shown:
            return None
        touching = [
            candidate for candidate in shown if any(atoms[index][0][candidate[1]] == candidate[2] for index in found)
        ]
        _count, position, label = min(touching or shown)
        to_hide = {label}
        if not any(cell.suppressed for cell in tables[position]):
            partners = [
                cell for cell in tables[position] if not cell.suppressed and cell.count > 0 and cell.label != label
            ]
            if partners:
                to_hide.add(min(partners, key=lambda cell: cell.count).label)
        tables[position] = [
            replace(cell, complementary=True) if cell.label in to_hide else cell for cell in tables[position]
        ]
    return tables


@dataclass
class ReportData:
    agreement: Agreement
    label: str
    start: datetime.date
    end: datetime.date
    groups_by_format: list[tuple[str, int]]
    groups_total: int
    groups_target: int
    children_total: int
    children_target: int
    by_age_band: list[Count_]
    by_district: list[Count_]
    by_basis: list[Count_]
    waiting_count: int
    waiting_median_days: float | None
    outcomes: Outcomes
    charts: list[tuple[str, str]]
    information: dict
    finance: BudgetComparison
    small_cell: int = SMALL_CELL
    notes: list[str] = field(default_factory=list)
    # The total is hidden when it is small (1–4), or when a breakdown could not protect a small
    # count otherwise (with_complementary_suppression).
    children_total_hidden: bool = False

    @property
    def waiting_suppressed(self) -> bool:
        return self.waiting_count < SMALL_CELL


def _target(per_year: int, term: str) -> int:
    return math.ceil(per_year / 2) if term else per_year


def svg_before_after(outcome) -> str:
    """A horizontal bar chart of the mean before and after per item, as inline SVG (works in the
    browser and in WeasyPrint alike). Suppressed items are drawn as a note, not as bars."""
    items = outcome.items
    scale_max = max((item.question.scale_max for item in items), default=5)
    row, label_width, bar_width = 44, 300, 320
    height = 40 + row * len(items)
    title = escape(outcome.instrument.name)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {label_width + bar_width + 60} {height}" '
        f'width="100%" role="img" aria-labelledby="chart-{outcome.instrument.pk}">',
        f'<title id="chart-{outcome.instrument.pk}">{title}: {escape(_("medelvärde före och efter"))}</title>',
        f'<rect x="{label_width}" y="4" width="12" height="12" fill="#9aa5b1"/>'
        f'<text x="{label_width + 18}" y="15" font-size="12" fill="#1f2933">{escape(_("Före"))}</text>'
        f'<rect x="{label_width + 80}" y="4" width="12" height="12" fill="#5b2a86"/>'
        f'<text x="{label_width + 98}" y="15" font-size="12" fill="#1f2933">{escape(_("Efter"))}</text>',
    ]
    for index, item in enumerate(items):
        y = 30 + index * row
        text = item.question.text if len(item.question.text) <= 46 else item.question.text[:44] + "…"
        parts.append(f'<text x="0" y="{y + 16}" font-size="12" fill="#1f2933">{escape(text)}</text>')
        if item.suppressed:
            note = _("Färre än %(n)s svar – visas inte") % {"n": SMALL_CELL}
            parts.append(f'<text x="{label_width}" y="{y + 16}" font-size="12" fill="#52606d">{escape(note)}</text>')
            continue
        for offset, (value, colour) in enumerate(((item.before_mean, "#9aa5b1"), (item.after_mean, "#5b2a86"))):
            width = round(bar_width * value / scale_max)
            shown = f"{value:.1f}".replace(".", ",")  # Swedish decimal comma
            parts.append(
                f'<rect x="{label_width}" y="{y + offset * 17}" width="{width}" height="15" fill="{colour}"/>'
                f'<text x="{label_width + width + 4}" y="{y + offset * 17 + 12}" font-size="11" fill="#1f2933">'
                f"{shown}</text>"
            )
    parts.append("</svg>")
    # Every text part above is escaped before it joins the markup.
    return mark_safe("".join(parts))  # noqa: S308 # nosec B308 B703


@report_reads()
def followup_report_data(*, agreement: Agreement, year: int, term: str = "") -> ReportData:
    """Every figure of the report, in a fixed number of queries (read from the replica when one
    is configured: config/routers.py)."""

    start, end = period_bounds(year, term)
    months = 6 if term else 12
    groups = SupportGroup.objects.filter(
        agreement=agreement, status__in=ACTIVE_GROUP_STATUSES, starts_on__lte=end
    ).filter(Q(ends_on__gte=start) | Q(ends_on__isnull=True))
    top_level = groups.filter(parent__isnull=True)
    format_counts = dict(top_level.values_list("format").annotate(n=Count("pk")).values_list("format", "n"))
    format_labels = dict(GroupFormat.choices)
    groups_by_format = [(str(label), format_counts.get(value, 0)) for value, label in format_labels.items()]

    group_ids = list(groups.values_list("pk", flat=True))
    placements = placed_children(group_ids)
    bands = {name: 0 for name, _low, _high in AGE_BANDS}
    districts: dict[str, int] = {}
    bases = {"sol": 0, "lvu": 0}
    waits = []
    for placed_at, referral in placements:
        bands[age_band_for(referral["age_at_planned_start"])] += 1
        name = referral["district__name"]
        districts[name] = districts.get(name, 0) + 1
        bases[referral["placement_basis"]] = bases.get(referral["placement_basis"], 0) + 1
        waits.append((placed_at - referral["created_at"]).days)
    basis_labels = {"sol": _("SoL (frivillig placering)"), "lvu": _("LVU (vård utan samtycke)")}

    outcomes = evaluation_outcomes(group_ids=group_ids, placed=placements)
    charts = [
        (outcome.instrument.name, svg_before_after(outcome))
        for outcome in outcomes.instruments
        if outcome.items and any(not item.suppressed for item in outcome.items)
    ]

    meetings = InformationMeeting.objects.filter(agreement=agreement, starts_at__date__range=(start, end))
    information = meetings.aggregate(
        held=Count("pk", filter=Q(held_at__isnull=False), distinct=True),
        planned=Count("pk", filter=Q(held_at__isnull=True), distinct=True),
        invited=Count("invitations", filter=Q(invitations__sent_at__isnull=False), distinct=True),
        signed_up=Count("signups", distinct=True),
        attended=Count("signups", filter=Q(signups__attended=True), distinct=True),
    )
    information["target"] = 3 if not term else None

    children_total = len(placements)
    by_age_band = with_complementary_suppression(
        [Count_(name.replace("-", "–"), count) for name, count in bands.items()], total=children_total
    )
    by_district = with_complementary_suppression(
        [Count_(name, count) for name, count in sorted(districts.items())], total=children_total
    )
    by_basis = with_complementary_suppression(
        [Count_(str(basis_labels.get(basis, basis)), count) for basis, count in bases.items()], total=children_total
    )
    children_total_hidden = is_small_total(children_total)
    if not all(breakdown_protected(cells, total=children_total) for cells in (by_age_band, by_district, by_basis)):
        # Rare (two districts with 4 children each): hiding counts is not enough while the total
        # shows, and a breakdown shown in full would give the total away. Hide them all.
        children_total_hidden = True
        by_age_band, by_district, by_basis = (
            [replace(cell, complementary=True) for cell in cells] for cells in (by_age_band, by_district, by_basis)
        )

    return ReportData(
        agreement=agreement,
        label=period_label(year, term),
        start=start,
        end=end,
        groups_by_format=groups_by_format,
        groups_total=sum(format_counts.values()),
        groups_target=_target(agreement.target_groups_per_year, term),
        children_total=children_total,
        children_total_hidden=children_total_hidden,
        children_target=_target(agreement.target_children_per_year, term),
        by_age_band=by_age_band,
        by_district=by_district,
        by_basis=by_basis,
        waiting_count=len(waits),
        waiting_median_days=statistics.median(waits) if waits else None,
        outcomes=outcomes,
        charts=charts,
        information=information,
        finance=budget_against_costs(agreement=agreement, start=start, end=end, months=months),
    )


# --- Making the PDF ------------------------------------------------------------------------------


def followup_reports_for(user):

    return FollowUpReport.objects.filter(agreement__in=agreements_for(user)).select_related("agreement", "job")


def get_report_for(user, public_id) -> FollowUpReport:
    try:
        return followup_reports_for(user).get(public_id=public_id)
    except (FollowUpReport.DoesNotExist, ValueError, ValidationError) as error:
        raise Http404 from error


@transaction.atomic
def followup_report_request(*, agreement: Agreement, year: int, term: str, requested_by) -> FollowUpReport:
    """Ask for the report's PDF; it is made in the background (followup/jobs.py). Asking again
    for the same period while it is being made gets that report."""
    if not agreement.starts_on.year <= year <= agreement.ends_on.year:
        raise ValidationError({"year": _("Året ligger utanför överenskommelsens period.")})
    if term not in ("", Term.SPRING, Term.AUTUMN):
        raise ValidationError({"term": _("Välj vårtermin, hösttermin eller helt år.")})
    job, created = job_request(
        kind=FOLLOWUP_REPORT_JOB,
        key=f"{FOLLOWUP_REPORT_JOB}:{agreement.pk}:{year}:{term or 'year'}",
        requested_by=requested_by,
    )
    if not created:
        return FollowUpReport.objects.get(job=job)
    return FollowUpReport.objects.create(agreement=agreement, year=year, term=term, requested_by=requested_by, job=job)


def render_report_pdf(data: ReportData) -> bytes:
    return render_pdf(
        "followup/pdf/followup_report.html",
        {"report": data, "generated_on": timezone.now()},
        stylesheets=("followup_report.css",),
    )


def followup_report_build(job) -> None:
    """Make the PDF and put it on the next cooperation meeting's agenda. Run again, it makes the
    PDF anew and adds no second agenda item."""
    report = FollowUpReport.objects.select_related("agreement").get(job=job)
    data = followup_report_data(agreement=report.agreement, year=report.year, term=report.term)
    job_progress(job, 40)
    pdf = render_report_pdf(data)
    job_progress(job, 80)
    with transaction.atomic():
        if report.pdf:  # an earlier run of this job got this far
            report.pdf.delete(save=False)
        report.pdf.save(f"uppfoljning-{report.year}-{report.term or 'helar'}.pdf", ContentFile(pdf), save=True)
        meeting = next_meeting(report.agreement)
        if meeting is not None and not report.agenda_items.exists():
            agenda_item_add(
                meeting=meeting,
                title=_("Uppföljningsrapport %(period)s") % {"period": report.period_label},
                description=_("Bifogad rapport för uppföljningen."),
                report=report,
                by=job.requested_by,
            )
