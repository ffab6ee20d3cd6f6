"""The worker's side of composing groups: solving a suggestion the manager asked for and keeping
its outcome (the job's kind is declared in composition/jobs.py, the pipeline is partnership/jobs.py).

Only a Celery worker imports this module (config/celery.py, autodiscover_tasks), and in eager mode
the process that runs its jobs itself: the solver loads OR-Tools, which a web process never needs.
"""

from django.conf import settings
from django.db import transaction

from partnership.jobs import worker_job_handler
from partnership.models import BackgroundJob

from . import selectors, solver
from .jobs import SUGGESTION_JOB
from .models import ChildRelation, CompositionRequest, SuggestedGroup, SuggestedMember


@worker_job_handler(SUGGESTION_JOB)
def suggestion_solve(job: BackgroundJob) -> None:
    composition_request_solve(CompositionRequest.objects.select_related("agreement", "requested_by").get(job=job))


def composition_request_solve(suggestion: CompositionRequest) -> None:
    """Solve the provider's waiting list for the suggestion's arrangement as it is now, and keep the
    outcome. The model is small (one provider's list for one target group, at most
    selectors.MAX_CHILDREN children) and the solver stops at COMPOSITION_TIME_LIMIT_SECONDS,
    reporting the best suggestion so far and its bound. Run again once solved, it changes nothing."""
    if suggestion.is_solved:
        return
    agreement = suggestion.agreement
    waiting = selectors.waiting_children(
        user=suggestion.requested_by, agreement=agreement, planned_start=suggestion.planned_start
    )
    by_id = {row.referral.pk: row for row in waiting}
    relations = list(selectors.relations_among(by_id))
    problem = solver.Problem(
        children=[
            solver.Child(key=row.referral.pk, age=row.age, district=row.referral.district_id, rank=row.rank)
            for row in waiting
        ],
        distances_km=selectors.district_distances(row.referral.district_id for row in waiting),
        apart=[(r.first_id, r.second_id) for r in relations if r.kind == ChildRelation.Kind.MUST_NOT_MEET],
        together=[(r.first_id, r.second_id) for r in relations if r.kind == ChildRelation.Kind.SIBLINGS],
        min_size=agreement.min_group_size,
        max_size=agreement.max_group_size,
        max_groups=suggestion.max_groups,
        max_age_spread=suggestion.max_age_spread,
        time_limit_seconds=settings.COMPOSITION_TIME_LIMIT_SECONDS,
    )
    solution = solver.solve(problem)
    with transaction.atomic():
        # A second delivery of the job that solved meanwhile keeps the first outcome.
        if CompositionRequest.objects.select_for_update().get(pk=suggestion.pk).is_solved:
            return
        suggestion.waiting_count = len(waiting)
        suggestion.solver_status = solution.status
        suggestion.objective = solution.objective
        suggestion.bound = solution.bound
        suggestion.proof = solution.proof
        suggestion.gap_points = solution.gap_points
        suggestion.wall_ms = round(solution.wall_seconds * 1000)
        suggestion.save(
            update_fields=[
                "waiting_count",
                "solver_status",
                "objective",
                "bound",
                "proof",
                "gap_points",
                "wall_ms",
                "updated_at",
            ]
        )
        for position, proposed in enumerate(solution.groups, start=1):
            suggested = SuggestedGroup.objects.create(
                request=suggestion,
                position=position,
                min_age=proposed.min_age,
                max_age=proposed.max_age,
                travel_km=proposed.travel_km,
            )
            SuggestedMember.objects.bulk_create(
                SuggestedMember(
                    suggested_group=suggested,
                    referral_id=key,
                    waiting_rank=by_id[key].rank + 1,
                    age=by_id[key].age,
                    waited_days=by_id[key].waited_days,
                )
                for key in proposed.children
            )
