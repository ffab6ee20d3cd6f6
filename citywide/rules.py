"""Who may see the city as a whole (issue 16): the coordinator alone sees every district, provider
and method side by side (counts and figures, never a child); a provider's operations manager and
group leaders see their own provider's evaluation results beside the city's aggregate."""

import rules

from partnership.rules import is_coordinator, is_group_leader, is_operations_manager

is_provider_staff = is_group_leader | is_operations_manager

rules.add_perm("citywide.view_demand", is_coordinator)
rules.add_perm("citywide.export_national_statistics", is_coordinator)
rules.add_perm("citywide.compare_evaluations", is_coordinator)
rules.add_perm("citywide.view_own_evaluation", is_provider_staff)
