"""Demo finance for `make run`: under the 2017–2018 agreement, 2017 fully paid with a year of
costs, 2018 with two advances paid and two overdue, and a fee from another municipality; under
the agreement in force today, its years with the advances due so far paid, and some travel.
Idempotent."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from partnership.management.commands.load_demo_data import first_agreement
from partnership.models import Agreement
from referrals.models import Referral, ReferralStatus

from .models import Cost, ExternalFee, TravelCost
from .services import budget_years_create, cost_record, payment_mark_paid, travel_cost_record

D = datetime.date

# budget line, month, day, amount in öre, description
DEMO_COSTS_2017 = [
    *(("Personal", month, 25, 55_000_00, "Lön gruppledare och verksamhetsansvarig") for month in range(1, 13)),
    ("Material", 2, 3, 2_450_00, "Pyssel- och skrivmaterial"),
    ("Material", 5, 10, 3_200_00, "Samtalskort och spel"),
    ("Material", 9, 1, 2_800_00, "Material till stödhelgen"),  # the line ends 450 kr over budget
    *(("Mat och dryck", month, 12, 2_100_00, "Fika och middag vid gruppträffar") for month in (2, 3, 5, 9, 10, 11)),
    *(("Resekostnader", month, 20, 1_800_00, "SL-kort för gruppledare") for month in (3, 6, 9, 12)),
]


def load(agreement: Agreement) -> None:
    User = get_user_model()
    coordinator = User.objects.get(username="samordnare")
    manager = User.objects.get(username="verksamhetsansvarig")
    _current(agreement, coordinator, manager)
    _first(first_agreement(), coordinator, manager)


def _current(agreement: Agreement, coordinator, manager) -> None:
    """The agreement in force today: its years, the advances due a fortnight ago or more paid,
    and some travel of children waiting for a place."""
    today = timezone.localdate()
    for budget_year in budget_years_create(agreement=agreement, by=coordinator):
        for payment in budget_year.payments.filter(
            paid_on__isnull=True, due_on__lte=today - datetime.timedelta(days=14)
        ):
            payment_mark_paid(
                payment=payment,
                paid_on=payment.due_on - datetime.timedelta(days=3),
                reference=f"VER {budget_year.year}-{payment.quarter:02d}",
                by=coordinator,
            )
    if not TravelCost.objects.filter(agreement=agreement).exists():
        children = Referral.objects.filter(agreement=agreement, status=ReferralStatus.READY).order_by("created_at")
        for referral, kind, amount in zip(children, ("travel", "lodging"), (340_00, 1_200_00), strict=False):
            travel_cost_record(
                agreement=agreement,
                referral=referral,
                kind=kind,
                incurred_on=max(agreement.starts_on, today - datetime.timedelta(days=10)),
                amount_ore=amount,
                description="Besök hos Bris före gruppstart",
                by=manager,
            )


def _first(agreement: Agreement, coordinator, manager) -> None:
    """The 2017–2018 agreement: 2017 fully paid with a year of costs, 2018 half paid."""
    years = {year.year: year for year in budget_years_create(agreement=agreement, by=coordinator)}
    paid = {2017: (1, 2, 3, 4), 2018: (1, 2)}
    for year_number, quarters in paid.items():
        budget_year = years.get(year_number)
        if budget_year is None:
            continue
        for payment in budget_year.payments.filter(quarter__in=quarters, paid_on__isnull=True):
            payment_mark_paid(
                payment=payment,
                paid_on=payment.due_on - datetime.timedelta(days=3),
                reference=f"VER {year_number}-{payment.quarter:02d}",
                by=coordinator,
            )
    year_2017 = years.get(2017)
    if year_2017 is not None and not Cost.objects.filter(budget_year=year_2017).exists():
        lines = {line.name: line for line in agreement.budget_lines.all()}
        for line_name, month, day, amount, description in DEMO_COSTS_2017:
            cost_record(
                budget_year=year_2017,
                budget_line=lines[line_name],
                spent_on=D(2017, month, day),
                amount_ore=amount,
                description=description,
                by=manager,
            )
        year_2017.fee_reinvestment = "Avgiften användes till en extra gruppledare under stödhelgen i maj."
        year_2017.save(update_fields=["fee_reinvestment", "updated_at"])
    if not ExternalFee.objects.filter(agreement=agreement).exists():
        ExternalFee.objects.create(
            agreement=agreement,
            child_key="demo-ta",
            year=2017,
            municipality="Solna stad",
            child_initials="TA",
            child_age=10,
            group_name="Stödhelg maj 2017",
            amount_ore=agreement.external_child_fee_ore,
            invoiced_on=D(2017, 5, 8),
            recorded_by=manager,
        )
