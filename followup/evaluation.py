"""Effect evaluation (effektutvärdering, IOP 3.1.2 and 4.2): recording answers, one-time answer
links for foster families, and the anonymous outcome figures.

Figures are made from answer sets tied to group, format, age band and district, never to a named
child; any figure computed from fewer than SMALL_CELL answers is suppressed, on screen and in PDFs.
"""

import datetime
import hashlib
import secrets
import statistics
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.methods import method_followed_by
from groups.models import GroupFormat, Placement, SupportGroup
from partnership.models import Role
from partnership.setbased import AmongIds
from partnership.statistics import SMALL_CELL as STATISTICS_SMALL_CELL
from referrals.models import Referral

from .models import (
    EvaluationAnswer,
    EvaluationAnswerSet,
    EvaluationAudience,
    EvaluationInstrument,
    EvaluationLink,
    EvaluationMoment,
    EvaluationQuestion,
)

# Small-cell protection: a figure from fewer answers than this could point at a child.
SMALL_CELL = STATISTICS_SMALL_CELL
LINK_VALIDITY_DAYS = 14
FREE_TEXT_MAX_LENGTH = 2000

AGE_BANDS = [("7-9", 7, 9), ("10-12", 10, 12), ("13-15", 13, 15), ("16-18", 16, 18)]


def age_band_for(age: int) -> str:
    for name, low, high in AGE_BANDS:
        if low <= age <= high:
            return name
    return "7-9" if age < 7 else "16-18"


def is_suppressed(count: int) -> bool:
    return count < SMALL_CELL


# --- Recording answers ---------------------------------------------------------------------------


def _check_answers(instrument: EvaluationInstrument, answers: dict) -> list[tuple[EvaluationQuestion, int | None, str]]:
    """The answers as (question, value, text), or a ValidationError keyed by the form field."""
    errors: dict[str, str] = {}
    cleaned = []
    for question in instrument.questions.all():
        raw = answers.get(question.code)
        field_name = f"q_{question.code}"
        if question.kind == EvaluationQuestion.Kind.LIKERT:
            if raw in (None, ""):
                if question.is_required:
                    errors[field_name] = _("Frågan måste besvaras.")
                continue
            try:
                value = int(raw)
            except (TypeError, ValueError):
                value = None
            if value is None or value not in question.scale:
                errors[field_name] = _("Svaret måste vara ett värde från %(low)s till %(high)s.") % {
                    "low": question.scale_min,
                    "high": question.scale_max,
                }
                continue
            cleaned.append((question, value, ""))
        else:
            text = str(raw or "").strip()
            if len(text) > FREE_TEXT_MAX_LENGTH:
                errors[field_name] = _("Svaret får vara högst %(n)s tecken.") % {"n": FREE_TEXT_MAX_LENGTH}
            elif text:
                cleaned.append((question, None, text))  # type: ignore[arg-type]
    if errors:
        raise ValidationError(errors)
    if not cleaned:
        raise ValidationError(_("Inga frågor är besvarade. Svara på minst en fråga."), code="empty")
    return cleaned  # type: ignore[return-value]


def evaluation_answers_clean(instrument: EvaluationInstrument, answers: dict) -> list[tuple]:
    """The answers checked against the questionnaire, for services above this app that record
    answers for a child without a referral (citywide: a provider's participants)."""
    return _check_answers(instrument, answers)


def _placement_in_group(group, referral):

    return Placement.objects.filter(group=group, referral=referral).first()


def _check_moment_and_child(*, group, instrument, moment, referral) -> None:
    if not instrument.is_active:
        raise ValidationError({"instrument": _("Formuläret används inte längre.")})
    if moment not in instrument.moments:
        raise ValidationError({"moment": _("Formuläret används inte vid det tillfället.")})
    if referral is None or _placement_in_group(group, referral) is None:
        raise ValidationError({"referral": _("Barnet är inte placerat i gruppen.")})
    duplicate = EvaluationAnswerSet.objects.filter(
        referral=referral, group=group, instrument=instrument, moment=moment
    ).exists()
    if duplicate:
        raise ValidationError(
            {"instrument": _("Det finns redan svar på det här formuläret för barnet vid det tillfället.")}
        )


@transaction.atomic
def evaluation_answer_set_record(
    *,
    group,
    instrument: EvaluationInstrument,
    moment: str,
    referral,
    answers: dict,
    channel: str = EvaluationAnswerSet.Channel.ENTERED,
    entered_by=None,
    answered_on: datetime.date | None = None,
) -> EvaluationAnswerSet:
    """Store one filled-in questionnaire for a child placed in the group. `answers` maps question
    codes to values (Likert) or text. Nothing is stored if any answer is outside its scale."""
    _check_moment_and_child(group=group, instrument=instrument, moment=moment, referral=referral)
    cleaned = _check_answers(instrument, answers)
    # The same random key for the child's every answer set in this group pairs before with
    # after, and still does once the link to the child has been removed.
    respondent_key = (
        EvaluationAnswerSet.objects.filter(group=group, referral=referral)
        .values_list("respondent_key", flat=True)
        .first()
    ) or uuid.uuid4()
    answer_set = EvaluationAnswerSet.objects.create(
        instrument=instrument,
        moment=moment,
        group=group,
        referral=referral,
        respondent_key=respondent_key,
        group_format=group.format,
        method_id=method_followed_by(group),
        age_band=age_band_for(referral.age_at_planned_start),
        district_id=referral.district_id,
        channel=channel,
        entered_by=entered_by,
        answered_on=answered_on or timezone.localdate(),
    )
    EvaluationAnswer.objects.bulk_create(
        EvaluationAnswer(answer_set=answer_set, question=question, value=value, text=text)
        for question, value, text in cleaned
    )
    return answer_set


def evaluation_unlink_child(referral) -> int:
    """For the purge (gallring): remove the link between a child and its answers.

    What remains are anonymous answer sets tied to group, format, age band and district. Free-text
    answers are deleted too, because a family may have written the child's name in them. Unused
    answer links stop working. Returns the number of answer sets unlinked.
    """
    return evaluations_unlink_children([referral.pk]).get(referral.pk, 0)


@transaction.atomic
def evaluations_unlink_children(referral_ids: list[int]) -> dict[int, int]:
    """evaluation_unlink_child for a batch of children in a few queries, whatever its size;
    returns the number of answer sets unlinked per child."""
    answer_sets = EvaluationAnswerSet.objects.filter(AmongIds("referral_id", referral_ids))
    unlinked = dict(answer_sets.order_by().values_list("referral_id").annotate(n=Count("pk")))
    if unlinked:
        EvaluationAnswer.objects.filter(
            AmongIds("answer_set__referral_id", referral_ids), question__kind=EvaluationQuestion.Kind.FREE_TEXT
        ).delete()
        answer_sets.update(referral=None)
    now = timezone.now()
    unused = Q(used_at__isnull=True, expires_at__gt=now)
    EvaluationLink.objects.filter(AmongIds("referral_id", referral_ids)).update(
        referral=None, expires_at=Case(When(unused, then=Value(now)), default=F("expires_at"))
    )
    return unlinked


# --- One-time answer links -----------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def evaluation_link_create(
    *, group, referral, instrument: EvaluationInstrument, moment: str, created_by, valid_days: int = LINK_VALIDITY_DAYS
) -> tuple[EvaluationLink, str]:
    """A link for a foster family to answer once, without logging in. Returns the link and its
    token; only the token's hash is stored, so the URL can be shown once and never again."""
    if not 1 <= valid_days <= 60:
        raise ValidationError({"valid_days": _("Länken kan gälla från 1 till 60 dagar.")})
    _check_moment_and_child(group=group, instrument=instrument, moment=moment, referral=referral)
    token = secrets.token_urlsafe(32)
    link = EvaluationLink.objects.create(
        token_hash=_token_hash(token),
        instrument=instrument,
        moment=moment,
        group=group,
        referral=referral,
        created_by=created_by,
        expires_at=timezone.now() + datetime.timedelta(days=valid_days),
    )
    return link, token


class LinkState:
    OPEN = "open"
    USED = "used"
    EXPIRED = "expired"


def evaluation_link_for_token(token: str) -> tuple[EvaluationLink, str]:
    """The link behind a token and whether it can still be answered; 404 for an unknown token."""
    link = EvaluationLink.objects.select_related("instrument").filter(token_hash=_token_hash(token or "")).first()
    if link is None:
        raise Http404
    if link.used_at is not None:
        return link, LinkState.USED
    if link.expires_at <= timezone.now() or link.referral_id is None:
        return link, LinkState.EXPIRED
    return link, LinkState.OPEN


@transaction.atomic
def evaluation_link_answer(*, token: str, answers: dict) -> EvaluationAnswerSet:
    """Answer through a link: once, before it expires. A second submit is refused."""
    link = EvaluationLink.objects.select_for_update().filter(token_hash=_token_hash(token or "")).first()
    if link is None:
        raise Http404
    if link.used_at is not None:
        raise ValidationError(_("Den här länken har redan använts. Varje länk kan bara användas en gång."), code="used")
    if link.expires_at <= timezone.now() or link.referral_id is None:
        raise ValidationError(_("Den här länken har slutat gälla."), code="expired")
    answer_set = evaluation_answer_set_record(
        group=link.group,
        instrument=link.instrument,
        moment=link.moment,
        referral=link.referral,
        answers=answers,
        channel=EvaluationAnswerSet.Channel.LINK,
    )
    link.used_at = timezone.now()
    link.answer_set = answer_set
    link.save(update_fields=["used_at", "answer_set", "updated_at"])
    return answer_set


# --- Reads ---------------------------------------------------------------------------------------


def groups_with_evaluations_for(user) -> QuerySet:
    """The groups whose evaluations the user may see: a leader their own groups, the operations
    manager the provider's groups, the coordinator the public party's groups."""

    membership = getattr(user, "membership", None)
    queryset = SupportGroup.objects.select_related("agreement")
    if membership is None:
        return queryset.none()
    if membership.role == Role.GROUP_LEADER:
        # The leader's groups as a list of ids (a few hundred after years of leading): joined
        # through the leaders' table instead, PostgreSQL read every group of the city to sort
        # them; with the ids it walks the list's index (group_newest) and stops at the page.
        led = SupportGroup.leaders.through.objects.filter(user=user).values_list("supportgroup_id", flat=True)
        return queryset.filter(pk__in=list(led))
    if membership.role == Role.OPERATIONS_MANAGER:
        return queryset.filter(agreement__provider_id=membership.organisation_id)
    if membership.role == Role.COORDINATOR:
        return queryset.filter(agreement__public_party_id=membership.organisation_id)
    return queryset.none()


def get_group_for(user, public_id):
    """The group if its evaluations are within the user's scope; 404 otherwise."""

    try:
        return groups_with_evaluations_for(user).get(public_id=public_id)
    except (SupportGroup.DoesNotExist, ValueError, ValidationError) as error:
        raise Http404 from error


def instruments_in_use() -> QuerySet[EvaluationInstrument]:
    return EvaluationInstrument.objects.filter(is_active=True).prefetch_related("questions")


def instrument_for_audience_age(instrument: EvaluationInstrument, age: int) -> bool:
    if instrument.audience == EvaluationAudience.CHILD:
        return age <= 12
    if instrument.audience == EvaluationAudience.YOUTH:
        return age >= 13
    return True


@dataclass(frozen=True)
class Figure:
    """A number with the count behind it; suppressed when the count is below SMALL_CELL."""

    value: float | None
    count: int

    @property
    def suppressed(self) -> bool:
        return is_suppressed(self.count)

    @property
    def shown(self) -> float | None:
        return None if self.suppressed else self.value


@dataclass
class ItemChange:
    question: EvaluationQuestion
    pairs: int
    before_mean: float | None = None
    after_mean: float | None = None
    change_mean: float | None = None
    change_sd: float | None = None

    @property
    def suppressed(self) -> bool:
        return is_suppressed(self.pairs)


@dataclass
class InstrumentOutcome:
    instrument: EvaluationInstrument
    # moment -> (answers, eligible, rate); rate suppressed under SMALL_CELL answers
    response_rates: list[tuple[str, Figure, int]] = field(default_factory=list)
    items: list[ItemChange] = field(default_factory=list)
    satisfied: Figure | None = None


@dataclass
class Outcomes:
    instruments: list[InstrumentOutcome]
    children_satisfied: Figure
    families_satisfied: Figure
    answer_sets: int
    children: int

    @property
    def has_content(self) -> bool:
        return self.answer_sets > 0


def _eligible(instrument: EvaluationInstrument, ages: list[int]) -> int:
    return sum(1 for age in ages if instrument_for_audience_age(instrument, age))


def _mean(values: list[float]) -> float:
    return round(statistics.fmean(values), 2)


def placed_children(group_ids: list[int]) -> list[tuple[datetime.datetime, dict]]:
    """Each current placement in these groups: when it was made, and its referral's created_at,
    age_at_planned_start, district__name and placement_basis. A child placed twice counts twice.

    Two queries, each through an index: the placements by group, then their referrals by
    primary key. As one join, PostgreSQL read the whole referral table to hash it for a few
    hundred children (a year's report reads under one in a hundred)."""
    placements = list(
        Placement.objects.filter(group_id__in=group_ids, removed_at__isnull=True)
        .order_by()  # the default ordering would join the groups for nothing
        .values_list("created_at", "referral_id")
    )
    referrals: dict[int, dict] = {
        row["pk"]: dict(row)
        for row in Referral.objects.filter(pk__in={referral_id for _placed_at, referral_id in placements})
        .order_by()
        .values("pk", "created_at", "age_at_planned_start", "district__name", "placement_basis")
    }
    return [(placed_at, referrals[referral_id]) for placed_at, referral_id in placements]


def evaluation_outcomes(
    *, group_ids: list[int], placed: list[tuple[datetime.datetime, dict]] | None = None
) -> Outcomes:
    """Response rates, before/after change per item with its spread, and the share satisfied,
    for the answer sets of these groups. Five queries whatever the number of answers (three
    when the caller has read the groups' placed children already)."""

    placed = placed_children(group_ids) if placed is None else placed
    ages = [referral["age_at_planned_start"] for _placed_at, referral in placed]
    # .order_by(): the models' default orderings follow foreign keys into joins these sums need not.
    sets = list(
        EvaluationAnswerSet.objects.filter(group_id__in=group_ids)
        .order_by()
        .values("pk", "instrument_id", "moment", "respondent_key")
    )
    # By the answer sets' keys: joined to the sets by group, PostgreSQL could read every answer.
    values = list(
        EvaluationAnswer.objects.filter(answer_set_id__in=[row["pk"] for row in sets], value__isnull=False)
        .order_by()
        .values_list("answer_set_id", "question_id", "value")
    )
    instrument_ids = {row["instrument_id"] for row in sets}
    instruments = list(
        EvaluationInstrument.objects.filter(pk__in=instrument_ids)
        .prefetch_related("questions")
        .order_by("audience", "-code")
    )
    set_by_pk = {row["pk"]: row for row in sets}
    # (instrument, moment, question) -> {respondent: value}
    answered: dict[tuple, dict] = defaultdict(dict)
    for answer_set_id, question_id, value in values:
        row = set_by_pk[answer_set_id]
        answered[(row["instrument_id"], row["moment"], question_id)][row["respondent_key"]] = value

    outcomes = []
    satisfied_by_audience: dict[str, list[bool]] = defaultdict(list)
    for instrument in instruments:
        outcome = InstrumentOutcome(instrument=instrument)
        eligible = _eligible(instrument, ages)
        for moment in instrument.moments:
            key = (instrument.pk, moment)
            count = len({row["respondent_key"] for row in sets if (row["instrument_id"], row["moment"]) == key})
            rate = round(100 * count / eligible) if eligible else None
            outcome.response_rates.append((EvaluationMoment(moment).label, Figure(rate, count), eligible))  # type: ignore[arg-type]
        compares = EvaluationMoment.BEFORE in instrument.moments and EvaluationMoment.AFTER in instrument.moments
        for question in instrument.questions.all():
            if question.kind != EvaluationQuestion.Kind.LIKERT:
                continue
            if question.measures_satisfaction:
                after = answered[(instrument.pk, EvaluationMoment.AFTER, question.pk)].values()
                flags = [value >= question.satisfied_from for value in after]
                satisfied_by_audience[instrument.audience].extend(flags)
                outcome.satisfied = Figure(round(100 * sum(flags) / len(flags)) if flags else None, len(flags))
            if not compares:
                continue
            before = answered[(instrument.pk, EvaluationMoment.BEFORE, question.pk)]
            after = answered[(instrument.pk, EvaluationMoment.AFTER, question.pk)]  # type: ignore[assignment]
            paired = [key for key in before if key in after]
            item = ItemChange(question=question, pairs=len(paired))
            if not item.suppressed:
                changes = [after[key] - before[key] for key in paired]  # type: ignore[index]
                item.before_mean = _mean([before[key] for key in paired])
                item.after_mean = _mean([after[key] for key in paired])  # type: ignore[index]
                item.change_mean = _mean(changes)
                item.change_sd = round(statistics.stdev(changes), 2)
            outcome.items.append(item)
        outcomes.append(outcome)

    def share(flags: list[bool]) -> Figure:
        return Figure(round(100 * sum(flags) / len(flags)) if flags else None, len(flags))

    children_flags = satisfied_by_audience[EvaluationAudience.CHILD] + satisfied_by_audience[EvaluationAudience.YOUTH]
    return Outcomes(
        instruments=outcomes,
        children_satisfied=share(children_flags),
        families_satisfied=share(satisfied_by_audience[EvaluationAudience.FOSTER_FAMILY]),
        answer_sets=len(sets),
        children=len(ages),
    )


def group_year_filter(year: int) -> Q:
    """A group belongs to the year its last meeting falls in (its first, while not yet ended)."""
    return Q(ends_on__year=year) | Q(ends_on__isnull=True, starts_on__year=year)


def evaluation_entries_for_group(group) -> list[EvaluationAnswerSet]:
    return list(
        EvaluationAnswerSet.objects.filter(group=group)
        .select_related("instrument", "referral")
        .order_by("instrument__audience", "instrument__code", "moment")
    )


def evaluation_links_for_group(group) -> list[EvaluationLink]:
    return list(EvaluationLink.objects.filter(group=group).select_related("instrument", "referral"))


@dataclass
class SummaryRow:
    label: str
    children: int = 0
    answer_sets: int = 0
    children_flags: list[bool] = field(default_factory=list)
    family_flags: list[bool] = field(default_factory=list)

    @staticmethod
    def _share(flags: list[bool]) -> Figure:
        return Figure(round(100 * sum(flags) / len(flags)) if flags else None, len(flags))

    @property
    def children_satisfied(self) -> Figure:
        return self._share(self.children_flags)

    @property
    def families_satisfied(self) -> Figure:
        return self._share(self.family_flags)


def evaluation_summary(*, groups) -> dict[str, list[SummaryRow]]:
    """The share satisfied per group, per format and per year, in three queries."""

    groups = list(groups)
    by_id = {group.pk: group for group in groups}
    placed = Placement.objects.filter(group_id__in=by_id, removed_at__isnull=True).values_list("group_id", flat=True)
    sets = EvaluationAnswerSet.objects.filter(group_id__in=by_id).values_list("group_id", flat=True)
    answers = EvaluationAnswer.objects.filter(
        answer_set__group_id__in=by_id,
        answer_set__moment=EvaluationMoment.AFTER,
        question__measures_satisfaction=True,
        value__isnull=False,
    ).values_list("answer_set__group_id", "answer_set__instrument__audience", "value", "question__satisfied_from")

    def year_of(group) -> str:
        day = group.ends_on or group.starts_on
        return str(day.year) if day else "–"

    keys = {
        "group": lambda group: group.name,
        "format": lambda group: str(GroupFormat(group.format).label),
        "year": year_of,
    }
    tables: dict[str, dict[str, SummaryRow]] = {name: {} for name in keys}

    def rows_for(group_id):
        group = by_id[group_id]
        for name, key in keys.items():
            label = key(group)
            yield tables[name].setdefault(label, SummaryRow(label=label))

    for group_id in placed:
        for row in rows_for(group_id):
            row.children += 1
    for group_id in sets:
        for row in rows_for(group_id):
            row.answer_sets += 1
    for group_id, audience, value, satisfied_from in answers:
        for row in rows_for(group_id):
            flags = row.family_flags if audience == EvaluationAudience.FOSTER_FAMILY else row.children_flags
            flags.append(value >= satisfied_from)  # type: ignore[operator]
    return {name: sorted(rows.values(), key=lambda row: row.label) for name, rows in tables.items()}
