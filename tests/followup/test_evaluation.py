"""Recording evaluations, and the outcome figures with small-cell suppression."""

import pytest
from django.core.exceptions import ValidationError

from followup.evaluation import (
    SMALL_CELL,
    evaluation_answer_set_record,
    evaluation_outcomes,
    evaluation_summary,
    evaluation_unlink_child,
)
from followup.models import EvaluationAnswer, EvaluationAnswerSet
from partnership.models import Role
from referrals.models import PurgeRule, Referral
from referrals.purge import referral_purge
from tests.factories import make_user
from tests.followup.factories import instrument, make_group, place_children

pytestmark = pytest.mark.django_db

ITEMS = ["forstar", "prata", "klara", "framat", "viktigt", "inte-ensam"]


def answer_all(group, referrals, *, code, moment, value, leader):
    for referral in referrals:
        evaluation_answer_set_record(
            group=group,
            instrument=instrument(code),
            moment=moment,
            referral=referral,
            answers=dict.fromkeys(ITEMS, value) if code.startswith("hur") else {"trivdes": value, "trygg": 4},
            entered_by=leader,
        )


@pytest.fixture
def leader():
    return make_user(Role.GROUP_LEADER)


def test_before_and_after_give_the_change_per_item_with_its_spread(leader):
    group = make_group(leader=leader)
    referrals = place_children(group, count=6)
    answer_all(group, referrals, code="hur-jag-har-det-barn", moment="before", value=2, leader=leader)
    for index, referral in enumerate(referrals):
        evaluation_answer_set_record(
            group=group,
            instrument=instrument("hur-jag-har-det-barn"),
            moment="after",
            referral=referral,
            answers=dict.fromkeys(ITEMS, 3 + index % 2),  # three children +1, three +2
            entered_by=leader,
        )

    outcomes = evaluation_outcomes(group_ids=[group.pk])

    (outcome,) = outcomes.instruments
    item = outcome.items[0]
    assert (item.pairs, item.before_mean, item.after_mean, item.change_mean) == (6, 2.0, 3.5, 1.5)
    assert item.change_sd == 0.55
    rates = {label: (figure.shown, figure.count, eligible) for label, figure, eligible in outcome.response_rates}
    assert rates["Före gruppen"] == (100, 6, 6)
    assert rates["Uppföljning, några månader efter"] == (None, 0, 6)


def test_a_change_from_fewer_than_five_children_is_suppressed(leader):
    group = make_group(leader=leader)
    referrals = place_children(group, count=SMALL_CELL)
    answer_all(group, referrals, code="hur-jag-har-det-barn", moment="before", value=2, leader=leader)
    answer_all(group, referrals[:4], code="hur-jag-har-det-barn", moment="after", value=4, leader=leader)

    item = evaluation_outcomes(group_ids=[group.pk]).instruments[0].items[0]

    assert item.pairs == 4
    assert item.suppressed
    assert (item.before_mean, item.after_mean, item.change_mean, item.change_sd) == (None, None, None, None)


def test_share_satisfied_counts_answers_from_the_satisfaction_item_only_from_five(leader):
    group = make_group(leader=leader)
    referrals = place_children(group, count=6)
    answer_all(group, referrals[:4], code="gruppen-barn", moment="after", value=5, leader=leader)
    assert evaluation_outcomes(group_ids=[group.pk]).children_satisfied.shown is None

    answer_all(group, referrals[4:], code="gruppen-barn", moment="after", value=2, leader=leader)
    satisfied = evaluation_outcomes(group_ids=[group.pk]).children_satisfied
    assert (satisfied.shown, satisfied.count) == (67, 6)


def test_an_answer_outside_the_scale_is_refused_and_nothing_is_saved(leader):
    group = make_group(leader=leader)
    (referral,) = place_children(group, count=1)
    with pytest.raises(ValidationError) as error:
        evaluation_answer_set_record(
            group=group,
            instrument=instrument("hur-jag-har-det-barn"),
            moment="before",
            referral=referral,
            answers={"forstar": 3, "prata": 7},
            entered_by=leader,
        )
    assert "q_prata" in error.value.message_dict
    assert not EvaluationAnswerSet.objects.exists()


def test_a_child_not_placed_in_the_group_cannot_be_evaluated_there(leader):
    group = make_group(leader=leader)
    other = make_group(leader=leader, name="Annan grupp")
    (referral,) = place_children(other, count=1)
    with pytest.raises(ValidationError) as error:
        evaluation_answer_set_record(
            group=group,
            instrument=instrument("hur-jag-har-det-barn"),
            moment="before",
            referral=referral,
            answers={"forstar": 3},
            entered_by=leader,
        )
    assert "referral" in error.value.message_dict


def test_the_same_questionnaire_twice_for_a_child_is_refused(leader):
    group = make_group(leader=leader)
    (referral,) = place_children(group, count=1)
    answer_all(group, [referral], code="hur-jag-har-det-barn", moment="before", value=2, leader=leader)
    with pytest.raises(ValidationError):
        answer_all(group, [referral], code="hur-jag-har-det-barn", moment="before", value=3, leader=leader)


def test_unlinking_at_purge_keeps_anonymous_figures_and_drops_free_text(leader):
    group = make_group(leader=leader)
    referrals = place_children(group, count=5)
    answer_all(group, referrals, code="hur-jag-har-det-barn", moment="before", value=2, leader=leader)
    answer_all(group, referrals, code="hur-jag-har-det-barn", moment="after", value=4, leader=leader)
    evaluation_answer_set_record(
        group=group,
        instrument=instrument("gruppen-barn"),
        moment="after",
        referral=referrals[0],
        answers={"trivdes": 5, "basta": "Att Alva var med"},
        entered_by=leader,
    )

    for referral in referrals:
        evaluation_unlink_child(referral)

    assert not EvaluationAnswerSet.objects.filter(referral__isnull=False).exists()
    assert not EvaluationAnswer.objects.exclude(text="").exists()
    answer_set = EvaluationAnswerSet.objects.first()
    assert (answer_set.age_band, answer_set.district.name, answer_set.group_format) == ("10-12", "Farsta", "weekly")
    outcomes = evaluation_outcomes(group_ids=[group.pk]).instruments
    (item, *_rest) = next(o for o in outcomes if o.instrument.code == "hur-jag-har-det-barn").items
    assert (item.pairs, item.change_mean) == (5, 2.0)


def test_share_satisfied_per_group_format_and_year_suppresses_small_groups(leader):

    weekly = make_group(leader=leader, name="Veckogruppen")
    weekend = make_group(leader=leader, name="Helgen", group_format="weekend")
    weekly_children = place_children(weekly, count=6)
    answer_all(weekly, weekly_children[:5], code="gruppen-barn", moment="after", value=5, leader=leader)
    answer_all(weekly, weekly_children[5:], code="gruppen-barn", moment="after", value=2, leader=leader)
    answer_all(weekend, place_children(weekend, count=3), code="gruppen-barn", moment="after", value=5, leader=leader)

    summary = evaluation_summary(groups=[weekly, weekend])

    shown = {name: {row.label: row.children_satisfied.shown for row in rows} for name, rows in summary.items()}
    assert shown["group"] == {"Helgen": None, "Veckogruppen": 83}
    assert shown["format"] == {"Stödhelg": None, "Veckovis stödgrupp": 83}
    assert shown["year"] == {str(weekly.ends_on.year): 89}
    assert {row.label: row.children for row in summary["group"]} == {"Helgen": 3, "Veckogruppen": 6}


def test_purging_a_childs_data_unlinks_its_evaluations(leader):

    group = make_group(leader=leader)
    referrals = place_children(group, count=1, first_names=["Ronja"])
    answer_all(group, referrals, code="gruppen-barn", moment="after", value=5, leader=leader)
    Referral.objects.filter(pk=referrals[0].pk).update(status="completed")

    record = referral_purge(referral=referrals[0], by=make_user(Role.OPERATIONS_MANAGER), rule=PurgeRule.MANUAL)

    assert record.counts["evaluation_answer_sets"] == 1
    answer_set = EvaluationAnswerSet.objects.get()
    assert answer_set.referral_id is None and answer_set.group == group
