"""Group compositions as a constraint-optimisation model, solved with OR-Tools' CP-SAT.

The problem (issue 16; the city's proposal: districts "har bekymmer med att sätta ihop lämpliga
grupper"): from the children waiting for one provider and target group, form at most
`max_groups` groups of `min_size`–`max_size` children (IOP 3.1.2: 5–8), such that

- hard: a group's age spread (oldest − youngest, in whole years on the planned start) is at most
  `max_age_spread`; children recorded as "must not meet" are never in the same group; siblings
  recorded as such are in the same group or both wait;
- the objective, in three levels, each outweighing everything below it:
  1. as many children as possible get a place;
  2. among as many, those who have waited longest: each placed child weighs n − rank (rank 0 is
     the top of the waiting list, which already orders Stockholm's children first and the
     manager's recorded moves, IOP 3.1.2). A weight, not a strict order between children: two
     children further down can together outweigh one further up;
  3. the narrowest age spreads and the shortest travel: per group, 10 points per year of spread
     plus 1 point per kilometre between the two districts furthest apart (district centres).

The levels are folded into one integer objective with weights that keep them apart (see
`_weights`), so one solve gives one status, bound and gap; `Solution.proof` says which levels
the bound proves when the time limit stops the search. Nothing here touches the
database: the service passes plain values in and gets plain values back, which is also what the
unit tests use.
"""

import math
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

# Quality points: one year of age spread weighs as much as ten kilometres between districts.
SPREAD_POINTS_PER_YEAR = 10
TRAVEL_POINTS_PER_KM = 1
# Two districts without known centres (e.g. another municipality's): assumed this far apart.
UNKNOWN_DISTANCE_KM = 15


@dataclass(frozen=True)
class Child:
    key: int  # the referral's id
    age: int
    district: int  # the district's id
    rank: int  # 0 = waited longest (the waiting list's order)


@dataclass(frozen=True)
class Problem:
    children: list[Child]
    # Whole kilometres between district centres, keyed by (smaller id, larger id); missing pairs
    # count UNKNOWN_DISTANCE_KM, a district to itself 0.
    distances_km: dict[tuple[int, int], int] = field(default_factory=dict)
    apart: list[tuple[int, int]] = field(default_factory=list)  # child keys that must not meet
    together: list[tuple[int, int]] = field(default_factory=list)  # siblings: same group or none
    min_size: int = 5
    max_size: int = 8
    max_groups: int = 2
    max_age_spread: int = 3
    time_limit_seconds: float = 5.0
    workers: int = 2

    def distance(self, a: int, b: int) -> int:
        if a == b:
            return 0
        return self.distances_km.get((min(a, b), max(a, b)), UNKNOWN_DISTANCE_KM)


@dataclass(frozen=True)
class ProposedGroup:
    children: list[int]  # child keys, longest waiting first
    min_age: int
    max_age: int
    travel_km: int  # the two districts furthest apart

    @property
    def age_spread(self) -> int:
        return self.max_age - self.min_age


class Proof:
    """What the solver's bound proves about a suggestion (a solution is never better than it)."""

    OPTIMAL = "optimal"  # nothing better exists
    CHILDREN = "children"  # who gets a place is best; only age spread and travel might improve
    COUNT = "count"  # as many children as possible are placed; who, and the quality, might improve
    OPEN = "open"  # more children might fit


@dataclass(frozen=True)
class Solution:
    status: str  # "OPTIMAL", "FEASIBLE", "INFEASIBLE" or "UNKNOWN" (no solution within the limit)
    groups: list[ProposedGroup]
    objective: int
    bound: int
    wall_seconds: float
    per_child: int = 1
    per_rank: int = 1

    @property
    def gap_points(self) -> int:
        return max(0, self.bound - self.objective)

    @property
    def proof(self) -> str:
        if self.status == "OPTIMAL" or (self.groups and self.gap_points == 0):
            return Proof.OPTIMAL
        if not self.groups:
            return Proof.OPEN
        if self.gap_points < self.per_rank:
            return Proof.CHILDREN
        if self.gap_points < self.per_child:
            return Proof.COUNT
        return Proof.OPEN

    @property
    def is_optimal(self) -> bool:
        return self.status == "OPTIMAL"

    @property
    def gap(self) -> float:
        """The relative distance between the solution and the best possible (the bound): 0 when
        proven optimal."""
        if self.is_optimal or not self.groups:
            return 0.0
        return abs(self.bound - self.objective) / max(1, abs(self.objective))


def _weights(problem: Problem, groups: int) -> tuple[int, int]:
    """(points per placed child, points per rank step) keeping the levels apart.

    The quality penalty of all groups together is at most `quality_max`; one rank step is worth
    more than that, and one more placed child more than the rank bonus of every child together
    (n + (n − 1) + … + 1)."""
    max_km = max([problem.distance(a.district, b.district) for a in problem.children for b in problem.children] or [0])
    quality_max = groups * (SPREAD_POINTS_PER_YEAR * problem.max_age_spread + TRAVEL_POINTS_PER_KM * max_km)
    per_rank = quality_max + 1
    n = len(problem.children)
    per_child = per_rank * (n * (n + 1) // 2 + 1)
    return per_child, per_rank


def solve(problem: Problem) -> Solution:
    children = problem.children
    n = len(children)
    groups = min(problem.max_groups, n // problem.min_size) if problem.min_size else problem.max_groups
    if groups <= 0:
        return Solution(status="OPTIMAL", groups=[], objective=0, bound=0, wall_seconds=0.0)
    model = cp_model.CpModel()
    index = {child.key: i for i, child in enumerate(children)}
    x = {(i, g): model.new_bool_var(f"x_{i}_{g}") for i in range(n) for g in range(groups)}
    used = [model.new_bool_var(f"used_{g}") for g in range(groups)]
    placed = []
    for i in range(n):
        model.add_at_most_one(x[i, g] for g in range(groups))
        placed.append(sum(x[i, g] for g in range(groups)))
    youngest = min(child.age for child in children)
    oldest = max(child.age for child in children)
    spreads, travels = [], []
    districts = sorted({child.district for child in children})
    for g in range(groups):
        members = [x[i, g] for i in range(n)]
        model.add(sum(members) >= problem.min_size).only_enforce_if(used[g])
        model.add(sum(members) <= problem.max_size * used[g])
        # Symmetry: the groups are interchangeable, so use them in order.
        if g:
            model.add_implication(used[g], used[g - 1])
        low = model.new_int_var(youngest, oldest, f"low_{g}")
        high = model.new_int_var(youngest, oldest, f"high_{g}")
        for i, child in enumerate(children):
            model.add(low <= child.age).only_enforce_if(x[i, g])
            model.add(high >= child.age).only_enforce_if(x[i, g])
        spread = model.new_int_var(0, problem.max_age_spread, f"spread_{g}")
        model.add(spread >= high - low).only_enforce_if(used[g])
        spreads.append(spread)
        # Travel: whether the group has a child from each district, and the distance between the
        # two furthest apart (over districts, not children: at most 13 × 12 / 2 pairs in Stockholm).
        has = {d: model.new_bool_var(f"has_{g}_{d}") for d in districts}
        for i, child in enumerate(children):
            model.add_implication(x[i, g], has[child.district])
        max_km = max(problem.distance(a, b) for a in districts for b in districts)
        travel = model.new_int_var(0, max_km, f"travel_{g}")
        for a_pos, a in enumerate(districts):
            for b in districts[a_pos + 1 :]:
                km = problem.distance(a, b)
                if km:
                    model.add(travel >= km).only_enforce_if([has[a], has[b]])
        travels.append(travel)
    for a, b in problem.apart:
        if a in index and b in index:
            for g in range(groups):
                model.add_bool_or([x[index[a], g].Not(), x[index[b], g].Not()])
    for a, b in problem.together:
        if a in index and b in index:
            for g in range(groups):
                model.add(x[index[a], g] == x[index[b], g])
    per_child, per_rank = _weights(problem, groups)
    model.maximize(
        sum((per_child + per_rank * (n - child.rank)) * placed[i] for i, child in enumerate(children))
        - SPREAD_POINTS_PER_YEAR * sum(spreads)
        - TRAVEL_POINTS_PER_KM * sum(travels)
    )
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = problem.time_limit_seconds
    solver.parameters.num_workers = problem.workers
    status = solver.solve(model)
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Solution(status=name, groups=[], objective=0, bound=0, wall_seconds=solver.wall_time)
    proposed = []
    for g in range(groups):
        chosen = sorted((children[i] for i in range(n) if solver.value(x[i, g])), key=lambda child: child.rank)
        if not chosen:
            continue
        ages = [child.age for child in chosen]
        member_districts = {child.district for child in chosen}
        proposed.append(
            ProposedGroup(
                children=[child.key for child in chosen],
                min_age=min(ages),
                max_age=max(ages),
                travel_km=max(problem.distance(a, b) for a in member_districts for b in member_districts),
            )
        )
    proposed.sort(key=lambda group: (group.min_age, group.max_age))
    return Solution(
        status=name,
        groups=proposed,
        objective=int(solver.objective_value),
        bound=math.floor(solver.best_objective_bound),
        wall_seconds=solver.wall_time,
        per_child=per_child,
        per_rank=per_rank,
    )
