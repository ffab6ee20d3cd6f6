"""Shared evaluation across providers (issue 16; the city's proposal: "common evaluation
instruments" and "follow-up of individual children").

The questionnaires (followup.EvaluationInstrument) are the city's common set: shared data, not
owned by a provider, so every provider's groups are evaluated with the same instruments and their
results can be set side by side. Here:

- the before/after change per provider, per method (the programme of the method library the group
  followed when the answers were given, `EvaluationAnswerSet.method`; a weekend's subgroups follow
  their weekend's), per group format and per target group, for the coordinator: pairs, mean
  change, its standard deviation and interquartile range;
- a provider's own results beside the city's aggregate, for its staff.

The change of one child is the mean of their answers after the group minus the mean before, on
the same instrument (paired by the anonymous respondent key, so it holds after purging). The
database pairs the answers and works out each child's change; the pairs are read once (one row
per pair: its change and what it is broken down by, never who), and every table is counted from
them here. (Aggregated in the database instead, each table's mean, deviation and quartiles made
it pair every child again: about 1.7 s a table at national scale.) A figure from fewer than five
pairs is not shown, and the pair counts of a comparison are protected
with complementary suppression against the city's total. The comparisons are breakdowns of one
total, so where one of them could not protect a small count even with every count hidden (4 and
4 of 8), the total and every comparison's counts are hidden, as in the follow-up report. They are
also protected together (followup.report.with_cross_table_suppression): no set of 1–4 children
may be worked out by differencing one comparison against another or against the total.
"""

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Case, CharField, F, FloatField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Concat
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from followup.models import EvaluationAnswerSet, EvaluationMoment, EvaluationQuestion
from followup.report import (
    Atom,
    Count_,
    breakdown_protected,
    with_complementary_suppression,
    with_cross_table_suppression,
)
from groups.models import GroupFormat
from partnership.models import Organisation, TargetGroup
from partnership.statistics import SMALL_CELL

from .sql import percentile_cont


def _score(moment_filter):
    """The mean Likert answer of the answer set found by `moment_filter` (a subquery)."""
    return Subquery(
        EvaluationAnswerSet.objects.filter(moment_filter)
        .order_by()
        .values("pk")
        .annotate(score=Avg("answers__value", filter=_likert()))
        .values("score")[:1],
        output_field=FloatField(),
    )


def _likert():
    return Q(answers__question__kind=EvaluationQuestion.Kind.LIKERT, answers__value__isnull=False)


def _paired_changes():
    """Every "after" answer set of a questionnaire asked before and after, annotated with the
    child's change (after minus before); those without a "before" are left out."""
    before = _score(
        Q(
            respondent_key=OuterRef("respondent_key"),
            instrument_id=OuterRef("instrument_id"),
            group_id=OuterRef("group_id"),
            moment=EvaluationMoment.BEFORE,
        )
    )
    after = _score(Q(pk=OuterRef("pk")))
    return (
        EvaluationAnswerSet.objects.filter(moment=EvaluationMoment.AFTER)
        .order_by()
        .annotate(before_score=before, after_score=after)
        .filter(before_score__isnull=False, after_score__isnull=False)
        .annotate(change=F("after_score") - F("before_score"))
    )


@dataclass
class Change:
    """The before/after change of a set of children: shown only from SMALL_CELL pairs."""

    label: str
    pairs: Count_
    mean: float | None = None
    sd: float | None = None
    q1: float | None = None
    q3: float | None = None

    @property
    def suppressed(self) -> bool:
        return self.pairs.suppressed or self.pairs.count < SMALL_CELL

    @property
    def iqr(self) -> float | None:
        return None if self.q1 is None or self.q3 is None else self.q3 - self.q1


@dataclass(frozen=True)
class Pair:
    """One child's change on one questionnaire, and what the tables break it down by."""

    provider: int
    method_id: int | None
    method_label: str | None
    group_format: str
    target_group: int | None
    instrument_id: int
    change: float


def _pairs(paired) -> list[Pair]:
    """Every pair in one query. The method's name is read with it, "(avvecklad)" added when
    retired; the method is the one the group followed when the "after" answers were given
    (EvaluationAnswerSet.method), not the group's method now."""
    rows = paired.annotate(
        provider=_provider(),
        tg=_target_group(),
        method_label=Case(
            When(
                method__retired_on__isnull=False,
                then=Concat(F("method__name"), Value(" "), Value(_("(avvecklad)"))),
            ),
            default=F("method__name"),
            output_field=CharField(),
        ),
    ).values_list("provider", "method_id", "method_label", "group_format", "tg", "instrument_id", "change")
    return [Pair(*row) for row in rows]


def _change(label: str, key: str, changes: list[float]) -> Change:
    """Count, mean, standard deviation (sample) and quartiles (as PostgreSQL's percentile_cont)."""
    change = Change(label=label, pairs=Count_(key, len(changes)))
    if len(changes) >= SMALL_CELL:
        ordered = sorted(changes)
        change.mean, change.sd = statistics.fmean(ordered), statistics.stdev(ordered)
        change.q1, change.q3 = percentile_cont(ordered, 0.25), percentile_cont(ordered, 0.75)
    return change


def _changes(pairs: list[Pair], key: Callable[[Pair], Any], labels: dict | None = None) -> list[Change]:
    """The change per value of `key`, in the order of the keys (none last), labelled from
    `labels` or as the key itself."""
    groups: dict[Any, list[float]] = defaultdict(list)
    for pair in pairs:
        groups[key(pair)].append(pair.change)
    return [
        _change(str((labels or {}).get(value, value)), str(value), groups[value])
        for value in sorted(groups, key=lambda value: (value is None, value))
    ]


def _method_changes(pairs: list[Pair]) -> list[Change]:
    """Per method, labelled with the method's name as the pairs carry it. Answers of groups that
    named no method are one row, "Ingen metod angiven", after the methods."""
    without = _("Ingen metod angiven")
    names = {pair.method_id: pair.method_label for pair in pairs}
    changes = _changes(pairs, lambda pair: pair.method_id, {**names, None: without})
    return sorted(changes, key=lambda change: (change.label == without, change.label.casefold()))


def _city(pairs: list[Pair], label: str) -> Change:
    return _change(label, label, [pair.change for pair in pairs])


def _with_cells(changes: list[Change], cells: list[Count_]) -> list[Change]:
    for change, cell in zip(changes, cells, strict=True):
        change.pairs = cell
        if cell.suppressed:
            change.mean = change.sd = change.q1 = change.q3 = None
    return changes


@dataclass
class Comparison:
    city: Change
    by_provider: list[Change]
    by_method: list[Change]
    by_format: list[Change]
    by_target_group: list[Change]
    small_cell: int = SMALL_CELL


def _all_hidden(changes: list[Change]) -> list[Change]:
    for change in changes:
        change.pairs = Count_(change.pairs.label, change.pairs.count, complementary=True)
        change.mean = change.sd = change.q1 = change.q3 = None
    return changes


def _provider():
    return F("group__agreement__provider_id")


def _target_group():
    return Coalesce("group__target_group_id", "group__agreement__target_group_id")


def _atoms(pairs: list[Pair]) -> list[Atom]:
    """The pairs per combination of provider, method, format and target group: what the four
    tables break down, for the check across them (followup.report)."""
    combinations = Counter(
        (str(pair.provider), str(pair.method_id), str(pair.group_format), str(pair.target_group)) for pair in pairs
    )
    return list(combinations.items())


def evaluation_comparison(*, year: int | None = None) -> Comparison:
    """The coordinator's comparison of providers, methods (the method library's programmes), group
    formats and target groups. Three queries whatever the number of answers, groups or methods:
    the pairs, the providers' names and the target groups' names."""
    paired = _paired_changes()
    if year:
        paired = paired.filter(answered_on__year=year)
    pairs = _pairs(paired)
    city = _city(pairs, _("Hela staden"))
    providers = dict(Organisation.objects.values_list("pk", "name"))
    language = get_language() or "sv"
    target_groups = {tg.pk: tg.display_name(language) for tg in TargetGroup.objects.all()}
    by_provider = _changes(pairs, lambda pair: pair.provider, providers)
    by_method = _method_changes(pairs)
    by_format = _changes(pairs, lambda pair: pair.group_format, dict(GroupFormat.choices))
    by_target = _changes(pairs, lambda pair: pair.target_group, target_groups)
    comparisons = [by_provider, by_method, by_format, by_target]
    total = city.pairs.count
    # Each comparison protected on its own against the city's total (complementary suppression)...
    tables = [
        with_complementary_suppression([change.pairs for change in changes], total=total) for changes in comparisons
    ]
    # ...then together: the tables break down the same children, so one can be differenced against
    # another (a provider that runs all of a method's groups, less the method); further counts are
    # hidden until no set of 1–4 children can be worked out (followup.report's rule across tables).
    protected = (
        with_cross_table_suppression(tables, atoms=_atoms(pairs))
        if all(breakdown_protected(cells, total=total) for cells in tables)
        else None
    )
    # If one comparison lets a small count be worked out from the total even with all its counts
    # hidden (4 and 4 of 8), or the tables cannot be made safe together, hide the total and every
    # count of every comparison (a fully shown one would add up to the total).
    if protected is None or not all(breakdown_protected(cells, total=total) for cells in protected):
        _all_hidden([city])
        comparisons = [_all_hidden(changes) for changes in comparisons]
    else:
        comparisons = [_with_cells(changes, cells) for changes, cells in zip(comparisons, protected, strict=True)]
    by_provider, by_method, by_format, by_target = comparisons
    return Comparison(
        city=city,
        by_provider=by_provider,
        by_method=by_method,
        by_format=by_format,
        by_target_group=by_target,
    )


@dataclass
class OwnRow:
    instrument: str
    own: Change
    city: Change


def evaluation_own_against_city(*, provider: Organisation) -> list[OwnRow]:
    """Per questionnaire: the provider's own before/after change beside the whole city's. Two
    queries. The city's figure includes the provider's own children, and is hidden where the other
    providers' children are 1–4 (the provider could difference them out)."""
    names = {}
    for pk, name, version in (
        EvaluationAnswerSet.objects.filter(moment=EvaluationMoment.AFTER)
        .order_by()
        .values_list("instrument_id", "instrument__name", "instrument__version")
        .distinct()
    ):
        names[pk] = f"{name} (v{version})"
    pairs = _pairs(_paired_changes())
    city = {change.pairs.label: change for change in _changes(pairs, lambda pair: pair.instrument_id, names)}
    own_pairs = [pair for pair in pairs if pair.provider == provider.pk]
    own = {change.pairs.label: change for change in _changes(own_pairs, lambda pair: pair.instrument_id, names)}
    rows = []
    for key, city_change in city.items():
        own_change = own.get(key) or Change(label=city_change.label, pairs=Count_(key, 0))
        # The provider knows its own children's answers: the city's figure less its own is the
        # other providers' children. Where they are 1–4, the city's figure is hidden (its count
        # and its mean would give their count and mean change).
        if 0 < city_change.pairs.count - own_change.pairs.count < SMALL_CELL:
            _all_hidden([city_change])
        rows.append(OwnRow(instrument=city_change.label, own=own_change, city=city_change))
    return sorted(rows, key=lambda row: row.instrument)
