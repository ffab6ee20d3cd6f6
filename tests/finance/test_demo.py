import pytest
from django.core.management import call_command

from finance.models import AdvancePayment, Cost, ExternalFee, FinanceAuditEntry, TravelCost
from finance.selectors import budget_vs_actual
from partnership.models import Agreement

pytestmark = pytest.mark.django_db


def test_demo_finance_has_a_year_of_payments_and_costs_and_reruns_without_duplicates(settings):
    settings.DEBUG = True
    call_command("load_demo_data", stdout=None)
    counts = [m.objects.count() for m in (AdvancePayment, Cost, ExternalFee, TravelCost, FinanceAuditEntry)]
    call_command("load_demo_data", stdout=None)
    assert [m.objects.count() for m in (AdvancePayment, Cost, ExternalFee, TravelCost, FinanceAuditEntry)] == counts
    year_2017 = Agreement.objects.get(kind=Agreement.Kind.IOP).budget_years.get(year=2017)
    assert year_2017.payments.filter(paid_on__isnull=False).count() == 4
    summary = budget_vs_actual(year_2017)
    assert [line.name for line in summary.overspent_lines] == ["Material"]
    assert counts[1] == 25 and counts[3] == 2
