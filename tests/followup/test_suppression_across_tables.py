"""The rule across tables (followup.report.with_cross_table_suppression): tables that break down
the same children must not, differenced against each other, give away a set of 1–4 children."""

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from followup.report import (
    Count_,
    small_population_worked_out,
    with_complementary_suppression,
    with_cross_table_suppression,
)


def _tables(atoms):
    """One table per position of the atoms' keys (provider, method, ...), each protected alone."""
    tables = []
    for position in range(len(atoms[0][0])):
        counts: dict[str, int] = {}
        for key, count in atoms:
            counts[key[position]] = counts.get(key[position], 0) + count
        total = sum(counts.values())
        tables.append(with_complementary_suppression([Count_(k, n) for k, n in sorted(counts.items())], total=total))
    return tables


def _shown(tables):
    return [{cell.label: cell.count for cell in table if not cell.suppressed} for table in tables]


# Provider P has 15 children, 12 of them in method M's groups, and runs all of M's groups; Q's 10
# follow no method. The method table shows M = 12, the provider table P = 15: P's children outside
# M are 15 − 12 = 3.
EXAMPLE = [(("P", "M"), 12), (("P", "-"), 3), (("Q", "-"), 10)]


def test_a_provider_less_the_method_it_alone_runs_is_found_and_hidden():
    tables = _tables(EXAMPLE)
    assert _shown(tables) == [{"P": 15, "Q": 10}, {"M": 12, "-": 13}]  # each table safe on its own
    assert small_population_worked_out(tables, EXAMPLE) == frozenset({1})  # P's 3 outside M
    protected = with_cross_table_suppression(tables, atoms=EXAMPLE)
    assert protected is not None
    assert small_population_worked_out(protected, EXAMPLE) is None
    # The method table goes (both of its counts: one hidden alone would be the total less the
    # other); the providers stay.
    assert _shown(protected) == [{"P": 15, "Q": 10}, {}]


def test_a_cycle_of_providers_and_methods_stays_visible_though_its_cells_are_small():
    # P: 3 with M and 9 without; Q: 9 with M and 3 without. Every published count is 12, and any
    # split of P's 12 between M and the rest fits: nothing small can be worked out.
    atoms = [(("P", "M"), 3), (("P", "-"), 9), (("Q", "M"), 9), (("Q", "-"), 3)]
    tables = _tables(atoms)
    assert with_cross_table_suppression(tables, atoms=atoms) == tables
    assert _shown(tables) == [{"P": 12, "Q": 12}, {"M": 12, "-": 12}]


def test_a_provider_running_a_method_with_five_or_more_outside_it_stays_visible():
    atoms = [(("P", "M"), 12), (("P", "-"), 8), (("Q", "-"), 10)]
    tables = _tables(atoms)
    assert with_cross_table_suppression(tables, atoms=atoms) == tables
    # A method that is a provider's whole work is the same children twice: nothing to difference.
    same = [(("P", "M"), 7), (("Q", "-"), 9)]
    assert with_cross_table_suppression(_tables(same), atoms=same) == _tables(same)


def test_two_providers_together_less_a_method_they_share_is_found():
    # M's 10 are split between P and Q, which also have 1 and 2 without a method, and R has 9
    # without one. P + Q − M = 3 children, though no single cell differs by less than 5.
    atoms = [(("P", "M"), 5), (("P", "-"), 1), (("Q", "M"), 5), (("Q", "-"), 2), (("R", "-"), 9)]
    tables = [
        [Count_("P", 6), Count_("Q", 7), Count_("R", 9)],
        [Count_("M", 10), Count_("-", 12)],
    ]
    assert small_population_worked_out(tables, atoms) == frozenset({1, 3})
    protected = with_cross_table_suppression(tables, atoms=atoms)
    assert protected is not None and small_population_worked_out(protected, atoms) is None


def _derivable_small_sets(tables, atoms):
    """Independent brute force: every set of atoms of 1–4 children whose indicator is a linear
    combination of the published blocks (numpy's rank, not the module's elimination)."""
    rows = []
    for position, table in enumerate(tables):
        hidden = {cell.label for cell in table if cell.suppressed}
        for cell in table:
            if not cell.suppressed and cell.count:
                rows.append([1.0 if key[position] == cell.label else 0.0 for key, _n in atoms])
        if hidden:
            rows.append([1.0 if key[position] in hidden else 0.0 for key, _n in atoms])
    published = np.array(rows) if rows else np.zeros((0, len(atoms)))
    rank = np.linalg.matrix_rank(published) if rows else 0
    found = []
    for size in range(1, len(atoms) + 1):
        for chosen in itertools.combinations(range(len(atoms)), size):
            if not 0 < sum(atoms[index][1] for index in chosen) < 5:
                continue
            vector = np.array([[1.0 if index in chosen else 0.0 for index in range(len(atoms))]])
            if np.linalg.matrix_rank(np.vstack([published, vector])) == rank:
                found.append(chosen)
    return found


@settings(deadline=None, max_examples=150)
@given(
    st.lists(
        st.tuples(st.sampled_from("PQR"), st.sampled_from("MN-"), st.integers(min_value=1, max_value=14)),
        min_size=1,
        max_size=7,
        unique_by=lambda atom: atom[:2],
    )
)
def test_after_the_rule_no_set_of_one_to_four_children_can_be_worked_out(raw):
    atoms = [((provider, method), count) for provider, method, count in raw]
    total = sum(count for _key, count in atoms)
    tables = _tables(atoms)
    protected = with_cross_table_suppression(tables, atoms=atoms)
    if protected is None or 0 < total < 5:
        return  # the caller hides the total and every count
    assert _derivable_small_sets(protected, atoms) == []
    # The module's own search agrees with the brute force on what it was given.
    assert (small_population_worked_out(tables, atoms) is None) == (_derivable_small_sets(tables, atoms) == [])


@settings(deadline=None, max_examples=100)
@given(
    st.lists(
        st.tuples(
            st.sampled_from("PQR"),
            st.sampled_from("MN-"),
            st.sampled_from(["weekly", "weekend"]),
            st.integers(min_value=1, max_value=14),
        ),
        min_size=1,
        max_size=7,
        unique_by=lambda atom: atom[:3],
    )
)
def test_three_tables_together_leave_no_set_of_one_to_four_children(raw):
    """Provider, method and format: a set can be worked out from three tables at once (a provider
    less its weekend groups less a method of its weekly ones), not only from two."""
    atoms = [((provider, method, form), count) for provider, method, form, count in raw]
    total = sum(count for _key, count in atoms)
    protected = with_cross_table_suppression(_tables(atoms), atoms=atoms)
    if protected is None or 0 < total < 5:
        return
    assert _derivable_small_sets(protected, atoms) == []
