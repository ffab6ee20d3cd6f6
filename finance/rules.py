"""Who may see and do what with the partnership's money.

- The IOP coordinator (the public party) does everything: payments, costs, fees, travel,
  reports, the settlement, closing and reopening a year.
- Bris' operations manager handles the costs, fees, travel and reports of the agreements where
  their organisation is the provider; the advance payments and closing a year are the city's.
- Group leaders and social workers have no finance pages at all.

Permissions asked without an object are the role-level question (menus, lists); with an object
the user's organisation must also be a party to its agreement. The selectors scope lists and
lookups the same way, so an object of another agreement is a 404 before these rules are asked.
"""

import rules

from partnership.models import Agreement
from partnership.rules import is_coordinator, is_operations_manager


def agreement_of(obj) -> Agreement:
    if isinstance(obj, Agreement):
        return obj
    if hasattr(obj, "budget_year"):
        return obj.budget_year.agreement
    return obj.agreement


@rules.predicate
def is_public_party(user, obj):
    return obj is None or agreement_of(obj).public_party_id == user.membership.organisation_id


@rules.predicate
def is_provider(user, obj):
    return obj is None or agreement_of(obj).provider_id == user.membership.organisation_id


@rules.predicate
def is_iop(user, obj):
    """Advances and a settlement belong to an IOP only; an operating grant has an amount and a
    report, a district's own groups no money flow at all."""
    return obj is None or agreement_of(obj).is_iop


city_coordinator = is_coordinator & is_public_party
provider_manager = is_operations_manager & is_provider
finance_staff = city_coordinator | provider_manager

# Reaching any finance page at all (the 403 for group leaders and social workers).
rules.add_perm("finance.access", is_coordinator | is_operations_manager)
rules.add_perm("finance.view_budget_year", finance_staff)
rules.add_perm("finance.record_cost", finance_staff)
rules.add_perm("finance.view_receipt", finance_staff)
rules.add_perm("finance.view_fees", finance_staff)
rules.add_perm("finance.mark_fee_paid", finance_staff)
rules.add_perm("finance.view_travel", finance_staff)
rules.add_perm("finance.record_travel", finance_staff)
rules.add_perm("finance.view_report", finance_staff)
rules.add_perm("finance.generate_report", finance_staff)
rules.add_perm("finance.view_settlement", finance_staff & is_iop)
# The city pays; only its coordinator records payments and closes or reopens a year (IOP 4.1).
rules.add_perm("finance.manage_payments", city_coordinator)
rules.add_perm("finance.create_advance_plan", city_coordinator & is_iop)
rules.add_perm("finance.close_year", city_coordinator)
rules.add_perm("finance.view_audit_log", city_coordinator)
