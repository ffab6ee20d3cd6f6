"""Reads for the partnership app."""

from django.db.models import Prefetch
from django.utils import timezone

from .models import Agreement, BudgetLine, Role


def agreement_current(*, on=None, provider=None) -> Agreement | None:
    """The agreement in force on a date (today by default), else the latest one.

    With a provider: that provider's arrangement. Without one: the IOP (the city's partnership
    whose referral and consent flow the districts use), so that another provider's operating
    grant or a district's own groups never take its place.
    """
    on = on or timezone.localdate()
    queryset = Agreement.objects.select_related("public_party", "provider", "target_group").prefetch_related(
        Prefetch("budget_lines", queryset=BudgetLine.objects.order_by("position"))
    )
    scope = {"provider": provider} if provider is not None else {"kind": Agreement.Kind.IOP}
    queryset = queryset.filter(**scope)
    return queryset.filter(starts_on__lte=on, ends_on__gte=on).first() or queryset.first()


def agreement_current_for(user, *, on=None) -> Agreement | None:
    """The agreement a user works under: a provider's staff their own provider's, everyone else
    the IOP's (districts refer to it, the coordinator follows it up)."""
    membership = getattr(user, "membership", None)
    if membership is not None and membership.role in (Role.GROUP_LEADER, Role.OPERATIONS_MANAGER):
        return agreement_current(on=on, provider=membership.organisation)
    return agreement_current(on=on)
