"""Shared evaluation across providers (issue 16; the city's proposal: "common evaluation
instruments" and "follow-up of individual children").

The questionnaires (followup.EvaluationInstrument) are the city's common set: shared data, not
owned by a provider, so every provider's groups are evaluated with the same instruments and their
results can be set side by side. Here:

- the before/after change per provider, per group format (the method of work) and per target
  group, for the coordinator: pairs, mean change, its standard deviation and interquartile range;
- a provider's own results beside the city's aggregate, for its staff.

The change of one child is the mean of their answers after the group minus the mean before, on
the same instrument (paired by the anonymous respondent key, so it holds after purging). Every
figure is an aggregate made in the database (a subquery per answer set, then one GROUP BY); a
figure from fewer than five pairs is not shown, and the pair counts of a comparison are protected
with complementary suppression against the city's total.
"""

from dataclasses import dataclass

from django.db.models import Avg, Count, F, FloatField, OuterRef, Q, StdDev, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from followup.models import EvaluationAnswerSet, EvaluationMoment, EvaluationQuestion
from followup.report import Count_, with_complementary_suppression
from groups.models import GroupFormat
from partnership.models import Organisation, TargetGroup
from partnership.statistics import SMALL_CELL

from .sql import Percentile


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


def _changes(queryset, key: str, labels: dict) -> list[Change]:
    rows = (
        queryset.values(key)
        .annotate(
            n=Count("pk"),
            mean=Avg("change"),
            sd=StdDev("change", sample=True),
            q1=Percentile(F("change"), 0.25),
            q3=Percentile(F("change"), 0.75),
        )
        .order_by(key)
    )
    changes = []
    for row in rows:
        change = Change(label=str(labels.get(row[key], row[key])), pairs=Count_(str(row[key]), row["n"]))
        if row["n"] >= SMALL_CELL:
            change.mean, change.sd, change.q1, change.q3 = row["mean"], row["sd"], row["q1"], row["q3"]
        changes.append(change)
    return changes


def _city(queryset, label: str) -> Change:
    row = queryset.aggregate(
        n=Count("pk"),
        mean=Avg("change"),
        sd=StdDev("change", sample=True),
        q1=Percentile(F("change"), 0.25),
        q3=Percentile(F("change"), 0.75),
    )
    change = Change(label=label, pairs=Count_(label, row["n"]))
    if row["n"] >= SMALL_CELL:
        change.mean, change.sd, change.q1, change.q3 = row["mean"], row["sd"], row["q1"], row["q3"]
    return change


def _protected(changes: list[Change], total: int) -> list[Change]:
    cells = with_complementary_suppression([change.pairs for change in changes], total=total)
    for change, cell in zip(changes, cells, strict=True):
        change.pairs = cell
        if cell.suppressed:
            change.mean = change.sd = change.q1 = change.q3 = None
    return changes


@dataclass
class Comparison:
    city: Change
    by_provider: list[Change]
    by_format: list[Change]
    by_target_group: list[Change]
    small_cell: int = SMALL_CELL


def evaluation_comparison(*, year: int | None = None) -> Comparison:
    """The coordinator's comparison of providers, methods of work (group formats) and target
    groups. Six queries whatever the number of answers."""
    paired = _paired_changes()
    if year:
        paired = paired.filter(answered_on__year=year)
    city = _city(paired, _("Hela staden"))
    providers = dict(Organisation.objects.values_list("pk", "name"))
    language = get_language() or "sv"
    target_groups = {tg.pk: tg.display_name(language) for tg in TargetGroup.objects.all()}
    by_provider = _changes(paired.annotate(provider=F("group__agreement__provider_id")), "provider", providers)
    by_format = _changes(paired, "group_format", dict(GroupFormat.choices))
    by_target = _changes(
        paired.annotate(tg=Coalesce("group__target_group_id", "group__agreement__target_group_id")),
        "tg",
        target_groups,
    )
    total = city.pairs.count
    return Comparison(
        city=city,
        by_provider=_protected(by_provider, total),
        by_format=_protected(by_format, total),
        by_target_group=_protected(by_target, total),
    )


@dataclass
class OwnRow:
    instrument: str
    own: Change
    city: Change


def evaluation_own_against_city(*, provider: Organisation) -> list[OwnRow]:
    """Per questionnaire: the provider's own before/after change beside the whole city's. Three
    queries. The city's figure includes the provider's own children."""
    paired = _paired_changes()
    names = {}
    for pk, name, version in (
        EvaluationAnswerSet.objects.filter(moment=EvaluationMoment.AFTER)
        .order_by()
        .values_list("instrument_id", "instrument__name", "instrument__version")
        .distinct()
    ):
        names[pk] = f"{name} (v{version})"
    city = {change.pairs.label: change for change in _changes(paired, "instrument_id", names)}
    own = {
        change.pairs.label: change
        for change in _changes(paired.filter(group__agreement__provider=provider), "instrument_id", names)
    }
    rows = []
    for key, city_change in city.items():
        own_change = own.get(key) or Change(label=city_change.label, pairs=Count_(key, 0))
        rows.append(OwnRow(instrument=city_change.label, own=own_change, city=city_change))
    return sorted(rows, key=lambda row: row.instrument)
