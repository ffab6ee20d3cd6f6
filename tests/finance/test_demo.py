import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from finance.models import AdvancePayment, Cost, ExternalFee, FinanceAuditEntry, TravelCost
from finance.selectors import budget_vs_actual
from groups.models import GroupStatus, SupportGroup
from partnership.models import Agreement
from partnership.selectors import agreement_current

pytestmark = pytest.mark.django_db


def test_demo_finance_has_a_year_of_payments_and_costs_and_reruns_without_duplicates(settings):
    settings.DEBUG = True
    call_command("load_demo_data", stdout=None)
    counts = [m.objects.count() for m in (AdvancePayment, Cost, ExternalFee, TravelCost, FinanceAuditEntry)]
    call_command("load_demo_data", stdout=None)
    assert [m.objects.count() for m in (AdvancePayment, Cost, ExternalFee, TravelCost, FinanceAuditEntry)] == counts
    year_2017 = Agreement.objects.get(kind=Agreement.Kind.IOP, starts_on=datetime.date(2017, 1, 1)).budget_years.get(
        year=2017
    )
    assert year_2017.payments.filter(paid_on__isnull=False).count() == 4
    summary = budget_vs_actual(year_2017)
    assert [line.name for line in summary.overspent_lines] == ["Material"]
    assert counts[1] == 25 and counts[3] == 2


def test_demo_has_an_agreement_in_force_today_with_current_groups_and_this_years_budget(settings):
    """A new user of `make run` sees current groups in the current year, under the agreement in
    force today, and the past years under the first agreement, both reachable."""
    settings.DEBUG = True
    call_command("load_demo_data", stdout=None)
    today = timezone.localdate()
    current = agreement_current()
    assert current is not None and current.starts_on <= today <= current.ends_on
    assert current.annual_budget_ore == 711_833_00
    assert current.budget_years.filter(year=today.year).exists()
    running = SupportGroup.objects.filter(agreement=current, status=GroupStatus.RUNNING)
    assert running.exists() and all(current.starts_on <= group.starts_on <= current.ends_on for group in running)
    first = Agreement.objects.get(starts_on=datetime.date(2017, 1, 1))
    assert first.budget_years.filter(year=2017).exists()
    assert all(
        agreement.starts_on <= group.starts_on <= agreement.ends_on
        for agreement in Agreement.objects.all()
        for group in agreement.groups.exclude(starts_on=None)
    )
