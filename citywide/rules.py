"""Who may see the city as a whole (issue 16): the coordinator alone sees every district, provider
and method side by side (counts and figures, never a child); a provider's operations manager and
group leaders see their own provider's evaluation results beside the city's aggregate."""

import rules
from django.contrib.auth.models import User

from coordination.models import Participant
from partnership.rules import is_coordinator, is_group_leader, is_operations_manager

is_provider_staff = is_group_leader | is_operations_manager

rules.add_perm("citywide.view_demand", is_coordinator)
rules.add_perm("citywide.export_national_statistics", is_coordinator)
rules.add_perm("citywide.compare_evaluations", is_coordinator)
rules.add_perm("citywide.view_own_evaluation", is_provider_staff)


@rules.predicate
def is_users_providers_participant(user: User, participant: Participant | None) -> bool:
    return participant is not None and participant.group.agreement.provider_id == user.membership.organisation_id


# A provider outside the IOP evaluates the children it took in with the city's common set.
rules.add_perm("citywide.evaluate_participants", is_provider_staff)
rules.add_perm("citywide.evaluate_participant", is_provider_staff & is_users_providers_participant)
