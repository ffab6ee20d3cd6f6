"""The termination settlement rule (IOP 4.5, 6): what Bris repays when the partnership ends.

The agreement says that on termination ongoing interventions are completed and the advances paid
are repaid less the interventions carried out; after an unresolved dispute Bris is paid for
ongoing and finished interventions and unused funds go back. It does not price an intervention,
so Gruppstöd uses this rule, documented in the README:

1. Only the agreement year in which the termination date falls is settled; earlier years were
   accounted for in their annual reports.
2. Advances paid: the year's quarterly advances marked paid.
3. Interventions carried out: the year's groups (a support weekend counts once, not per
   subgroup) that started on or before the termination date, that is, whose first meeting was
   held by then (a meeting confirmed held, or the group running or closed). "Not cancelled" is
   not enough: a group planned or open for placement that never started was not carried out.
   A group still running counts in full, because ongoing interventions are completed. The page
   and the PDF list every group of the year up to the date, with why it counts or not
   (finance/rules.py, `group_carried_out`).
4. Value of one intervention: the year's budget divided by the agreement's target number of
   groups per year (711 833 kr / 4 = 177 958,25 kr). The value carried out is that times the
   number of groups, never more than the year's budget, rounded down to whole öre.
5. Balance = advances paid − value carried out. Positive: Bris repays it. Negative: the city
   owes Bris the difference for interventions carried out beyond what it had advanced.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class SettlementAmounts:
    value_per_group_ore: int
    carried_out_value_ore: int
    balance_ore: int  # > 0 Bris repays; < 0 the city pays Bris

    @property
    def provider_repays_ore(self) -> int:
        return max(self.balance_ore, 0)

    @property
    def city_pays_ore(self) -> int:
        return max(-self.balance_ore, 0)


def settlement_amounts(
    *, year_budget_ore: int, target_groups: int, groups_carried_out: int, advances_paid_ore: int
) -> SettlementAmounts:
    target = max(target_groups, 1)
    carried_out = min(year_budget_ore, year_budget_ore * groups_carried_out // target)
    return SettlementAmounts(
        value_per_group_ore=year_budget_ore // target,
        carried_out_value_ore=carried_out,
        balance_ore=advances_paid_ore - carried_out,
    )
