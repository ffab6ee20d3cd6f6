"""Reads for the partnership app."""

import datetime

from django.db.models import Prefetch
from django.utils import timezone

from .models import Agreement, BudgetLine


def agreement_current(*, on: datetime.date | None = None) -> Agreement | None:
    """The agreement in force on a date (today by default), else the latest one."""
    on = on or timezone.localdate()
    queryset = Agreement.objects.select_related("public_party", "provider", "target_group").prefetch_related(
        Prefetch("budget_lines", queryset=BudgetLine.objects.order_by("position"))
    )
    return queryset.filter(starts_on__lte=on, ends_on__gte=on).first() or queryset.first()
