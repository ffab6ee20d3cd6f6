from django import template
from django.utils.translation import gettext as _

from partnership.access import can
from partnership.money import format_ore

from .. import selectors

register = template.Library()


@register.simple_tag
def payments_to_handle(user) -> list[str]:
    """The coordinator's home: advances past their due date and not yet marked paid."""
    if not can(user, "finance.manage_payments"):
        return []
    return [
        _("%(year)s kvartal %(q)s: %(amount)s, förföll %(due)s")
        % {"year": p.budget_year.year, "q": p.quarter, "amount": format_ore(p.amount_ore), "due": p.due_on}
        for p in selectors.overdue_payments_for(user)[:10]
    ]


@register.simple_tag
def targets_behind(user, agreement):
    """The coordinator's and the operations manager's home: this year's status against the targets
    when it is falling behind (finance/rules.py), else None. Counts only."""
    if not can(user, "groups.view_targets"):
        return None
    status = selectors.target_status_for(agreement)
    return status if status is not None and status.behind else None
