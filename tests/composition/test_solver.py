"""The composition model on small instances whose optimum is known by hand."""

import random

from composition.solver import Child, Problem, Proof, ProposedGroup, Solution, solve


def children(ages, *, district=1):
    return [Child(key=100 + n, age=age, district=district, rank=n) for n, age in enumerate(ages)]


def test_twelve_children_in_two_age_clusters_make_two_groups_by_cluster():
    # Interleaved in the waiting list, so the waiting order alone would mix them.
    ages = [7, 13, 8, 14, 7, 13, 8, 14, 9, 15, 9, 15]
    solution = solve(Problem(children=children(ages), max_groups=2))
    assert solution.status == "OPTIMAL"
    assert solution.gap == 0
    assert [(group.min_age, group.max_age) for group in solution.groups] == [(7, 9), (13, 15)]
    assert sorted(len(group.children) for group in solution.groups) == [6, 6]


def test_a_must_not_meet_pair_is_split():
    kids = children([10] * 10)
    solution = solve(Problem(children=kids, apart=[(100, 101)], max_groups=2))
    assert solution.is_optimal
    assert len(solution.groups) == 2
    together = [group for group in solution.groups if {100, 101} <= set(group.children)]
    assert together == []
    assert sum(len(group.children) for group in solution.groups) == 10


def test_a_must_not_meet_pair_leaves_one_waiting_when_only_one_group_is_asked_for():
    kids = children([10] * 6)
    solution = solve(Problem(children=kids, apart=[(100, 101)], max_groups=1))
    (group,) = solution.groups
    # The one who waited longer (rank 0) keeps the place; the other waits.
    assert 100 in group.children and 101 not in group.children
    assert len(group.children) == 5


def test_siblings_are_placed_together_or_wait_together():
    kids = children([10] * 10)
    solution = solve(Problem(children=kids, together=[(100, 109)], max_groups=2))
    holding = [group for group in solution.groups if 100 in group.children or 109 in group.children]
    assert len(holding) == 1 and {100, 109} <= set(holding[0].children)


def test_those_who_waited_longest_get_the_places_when_capacity_is_short():
    kids = children([10] * 11)  # one group of at most 8: three must wait
    solution = solve(Problem(children=kids, max_groups=1))
    (group,) = solution.groups
    assert group.children == [100 + n for n in range(8)]


def test_waiting_longest_outweighs_a_narrower_age_spread():
    # The longest-waiting child is 12, the others 10: leaving them out would narrow the spread.
    kids = children([12] + [10] * 8)
    solution = solve(Problem(children=kids, max_groups=1))
    assert 100 in solution.groups[0].children
    assert solution.groups[0].age_spread == 2


def test_the_age_spread_limit_is_hard():
    kids = children([7, 7, 7, 7, 12, 12, 12, 12])
    solution = solve(Problem(children=kids, max_groups=2, max_age_spread=3))
    assert solution.groups == []


def test_travel_groups_neighbouring_districts():
    # Districts 1 and 2 are close, 3 and 4 close, the two pairs far apart.
    distances = {(1, 2): 3, (3, 4): 4, (1, 3): 20, (1, 4): 22, (2, 3): 18, (2, 4): 21}
    kids = [Child(key=100 + n, age=10, district=[1, 3, 2, 4][n % 4], rank=n) for n in range(12)]
    solution = solve(Problem(children=kids, distances_km=distances, max_groups=2))
    assert solution.is_optimal
    by_district = {kid.key: kid.district for kid in kids}
    assert sorted(
        {by_district[key] for key in group.children} == {1, 2} or {by_district[key] for key in group.children} == {3, 4}
        for group in solution.groups
    ) == [True, True]
    assert sorted(group.travel_km for group in solution.groups) == [3, 4]


def test_fewer_children_than_a_group_gives_no_suggestion():
    solution = solve(Problem(children=children([10] * 4)))
    assert solution.groups == [] and solution.is_optimal


def test_a_larger_waiting_list_is_solved_within_the_time_limit():
    rng = random.Random(16)
    kids = [Child(key=n, age=rng.randint(7, 18), district=rng.randint(1, 13), rank=n) for n in range(60)]
    solution = solve(Problem(children=kids, max_groups=6, time_limit_seconds=5))
    assert solution.status in ("OPTIMAL", "FEASIBLE")
    assert solution.wall_seconds < 6
    assert solution.bound >= solution.objective
    assert all(5 <= len(group.children) <= 8 and group.age_spread <= 3 for group in solution.groups)


def test_placing_more_children_outweighs_who_waited_longest():
    # One group only: either the five at the top of the list (aged 10) or the six below (15).
    kids = children([10] * 5 + [15] * 6)
    solution = solve(Problem(children=kids, max_groups=1))
    assert solution.groups[0].children == [105, 106, 107, 108, 109, 110]


def test_what_the_bound_proves_when_the_time_limit_stops_the_search():
    group = ProposedGroup(children=[1, 2, 3, 4, 5], min_age=9, max_age=10, travel_km=4)

    def stopped(gap):
        return Solution(
            status="FEASIBLE",
            groups=[group],
            objective=1000,
            bound=1000 + gap,
            wall_seconds=5,
            per_child=500,
            per_rank=20,
        )

    assert stopped(0).proof == Proof.OPTIMAL
    assert stopped(19).proof == Proof.CHILDREN and stopped(19).gap_points == 19
    assert stopped(20).proof == Proof.COUNT
    assert stopped(500).proof == Proof.OPEN
    assert Solution(status="OPTIMAL", groups=[], objective=0, bound=0, wall_seconds=0).proof == Proof.OPTIMAL
