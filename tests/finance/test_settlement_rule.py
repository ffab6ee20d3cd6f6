"""The settlement rule (finance/settlement.py) on worked examples in whole kronor and öre."""

import pytest

from finance.settlement import settlement_amounts

YEAR = 711_833_00  # the 2017 budget in öre


@pytest.mark.parametrize(
    ("groups", "advances", "value", "balance"),
    [
        # Terminated after Q2 was advanced, one group carried out: a quarter of the year is repaid.
        (1, 2 * 177_958_25, 177_958_25, 177_958_25),
        # Nothing carried out: every advance paid goes back.
        (0, 177_958_25, 0, 177_958_25),
        # Two groups for two advances: nothing to repay.
        (2, 2 * 177_958_25, 355_916_50, 0),
        # Three groups (one still running, counted as completed) for two advances: the city owes a quarter.
        (3, 2 * 177_958_25, 533_874_75, -177_958_25),
        # More groups than the target: never worth more than the year's budget.
        (6, 4 * 177_958_25, YEAR, 0),
    ],
)
def test_settlement_of_the_2017_year(groups, advances, value, balance):
    amounts = settlement_amounts(
        year_budget_ore=YEAR, target_groups=4, groups_carried_out=groups, advances_paid_ore=advances
    )
    assert amounts.value_per_group_ore == 177_958_25
    assert amounts.carried_out_value_ore == value
    assert amounts.balance_ore == balance
    assert amounts.provider_repays_ore == max(balance, 0)
    assert amounts.city_pays_ore == max(-balance, 0)


def test_a_value_that_does_not_divide_evenly_is_rounded_down_to_whole_ore():
    amounts = settlement_amounts(
        year_budget_ore=100_00, target_groups=3, groups_carried_out=2, advances_paid_ore=100_00
    )
    assert amounts.carried_out_value_ore == 66_66
    assert amounts.balance_ore == 33_34
