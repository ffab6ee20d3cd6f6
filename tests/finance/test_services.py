import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from finance import selectors, services
from finance.models import AdvancePayment, Cost, FinanceAuditEntry
from partnership.models import Role
from tests.factories import make_agreement, make_user

from .helpers import agreement_with_years

pytestmark = pytest.mark.django_db

A = FinanceAuditEntry.Action


@pytest.fixture
def coordinator_user():
    return make_user(Role.COORDINATOR)


@pytest.fixture
def year_2017(coordinator_user):
    _agreement, years = agreement_with_years(coordinator_user)
    return years[0]


def test_each_agreement_year_gets_four_advances_due_before_their_quarters(year_2017):
    payments = list(year_2017.payments.order_by("quarter"))
    assert [p.amount_ore for p in payments] == [177_958_25] * 4
    assert [p.due_on for p in payments] == [
        datetime.date(2016, 12, 31),
        datetime.date(2017, 3, 31),
        datetime.date(2017, 6, 30),
        datetime.date(2017, 9, 30),
    ]


def test_creating_the_years_again_creates_no_duplicates(coordinator_user):
    agreement, _years = agreement_with_years(coordinator_user)
    services.budget_years_create(agreement=agreement, by=coordinator_user)
    assert agreement.budget_years.count() == 2
    assert AdvancePayment.objects.filter(budget_year__agreement=agreement).count() == 8
    assert FinanceAuditEntry.objects.filter(action=A.SCHEDULE_CREATED).count() == 2


def test_a_year_covered_in_part_gets_its_quarters_and_a_proportional_share(coordinator_user):
    agreement = make_agreement(starts_on=datetime.date(2017, 7, 1), ends_on=datetime.date(2018, 6, 30))
    first, second = services.budget_years_create(agreement=agreement, by=coordinator_user)
    assert [p.quarter for p in first.payments.all()] == [3, 4]
    assert sum(p.amount_ore for p in first.payments.all()) == 711_833_00 // 2
    assert [p.quarter for p in second.payments.all()] == [1, 2]


def test_marking_a_payment_paid_records_date_reference_and_audit(year_2017, coordinator_user):
    payment = year_2017.payments.get(quarter=1)
    services.payment_mark_paid(
        payment=payment, paid_on=datetime.date(2016, 12, 28), reference="VER-1", by=coordinator_user
    )
    payment.refresh_from_db()
    assert (payment.paid_on, payment.reference, payment.marked_paid_by) == (
        datetime.date(2016, 12, 28),
        "VER-1",
        coordinator_user,
    )
    entry = FinanceAuditEntry.objects.get(action=A.PAYMENT_MARKED_PAID)
    assert entry.amount_ore == 177_958_25 and entry.by == coordinator_user


def test_a_payment_cannot_be_marked_paid_twice(year_2017, coordinator_user):
    payment = year_2017.payments.get(quarter=1)
    services.payment_mark_paid(payment=payment, paid_on=datetime.date(2017, 1, 2), reference="A", by=coordinator_user)
    with pytest.raises(ValidationError) as error:
        services.payment_mark_paid(
            payment=payment, paid_on=datetime.date(2017, 1, 3), reference="B", by=coordinator_user
        )
    assert "redan markerad som betald" in str(error.value.message_dict["paid_on"])
    payment.refresh_from_db()
    assert payment.reference == "A"


def test_a_payment_needs_a_reference_and_a_date_not_in_the_future(year_2017, coordinator_user):
    payment = year_2017.payments.get(quarter=1)
    with pytest.raises(ValidationError) as error:
        services.payment_mark_paid(
            payment=payment, paid_on=datetime.date(2017, 1, 2), reference="  ", by=coordinator_user
        )
    assert "reference" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.payment_mark_paid(
            payment=payment,
            paid_on=timezone.localdate() + datetime.timedelta(days=1),
            reference="X",
            by=coordinator_user,
        )
    assert "paid_on" in error.value.message_dict
    payment.refresh_from_db()
    assert payment.paid_on is None


def test_reopening_a_paid_payment_needs_a_reason_and_is_logged(year_2017, coordinator_user):
    payment = year_2017.payments.get(quarter=2)
    services.payment_mark_paid(payment=payment, paid_on=datetime.date(2017, 3, 30), reference="A", by=coordinator_user)
    with pytest.raises(ValidationError):
        services.payment_reopen(payment=payment, reason=" ", by=coordinator_user)
    services.payment_reopen(payment=payment, reason="Fel belopp på verifikationen", by=coordinator_user)
    payment.refresh_from_db()
    assert payment.paid_on is None and payment.reference == ""
    entry = FinanceAuditEntry.objects.get(action=A.PAYMENT_REOPENED)
    assert entry.reason == "Fel belopp på verifikationen"
    services.payment_mark_paid(payment=payment, paid_on=datetime.date(2017, 3, 31), reference="B", by=coordinator_user)


def test_overdue_payments_are_flagged(year_2017, coordinator_user):
    services.payment_mark_paid(
        payment=year_2017.payments.get(quarter=1),
        paid_on=datetime.date(2016, 12, 30),
        reference="A",
        by=coordinator_user,
    )
    rows = selectors.payment_rows(year_2017, today=datetime.date(2017, 4, 15))
    assert [row.overdue for row in rows] == [False, True, False, False]


def _line(budget_year, name):
    return budget_year.agreement.budget_lines.get(name=name)


def test_budget_against_actual_per_line_with_remaining_and_overspend(year_2017, coordinator_user):
    material = _line(year_2017, "Material")
    food = _line(year_2017, "Mat och dryck")
    for amount in (3_000_00, 6_000_50):
        services.cost_record(
            budget_year=year_2017,
            budget_line=material,
            spent_on=datetime.date(2017, 3, 1),
            amount_ore=amount,
            description="Pennor och papper",
            by=coordinator_user,
        )
    services.cost_record(
        budget_year=year_2017,
        budget_line=food,
        spent_on=datetime.date(2017, 3, 2),
        amount_ore=1_234_50,
        description="Fika",
        by=coordinator_user,
    )
    result = selectors.budget_vs_actual(year_2017)
    rows = {row.name: row for row in result.lines}
    assert rows["Material"].actual_ore == 9_000_50
    assert rows["Material"].remaining_ore == -1_000_50
    assert rows["Material"].overspent
    assert rows["Mat och dryck"].remaining_ore == 15_000_00 - 1_234_50
    assert not rows["Mat och dryck"].overspent
    assert rows["Personal"].actual_ore == 0
    assert result.budget_ore == 711_833_00
    assert result.actual_ore == 10_235_00
    assert result.remaining_ore == 711_833_00 - 10_235_00
    assert [row.name for row in result.overspent_lines] == ["Material"]


def test_costs_of_another_year_do_not_count(year_2017, coordinator_user):
    year_2018 = year_2017.agreement.budget_years.get(year=2018)
    services.cost_record(
        budget_year=year_2018,
        budget_line=_line(year_2018, "Material"),
        spent_on=datetime.date(2018, 3, 1),
        amount_ore=500_00,
        description="Papper",
        by=coordinator_user,
    )
    assert selectors.budget_vs_actual(year_2017).actual_ore == 0
    assert selectors.budget_vs_actual(year_2018).actual_ore == 500_00


@pytest.mark.parametrize("day", [datetime.date(2016, 12, 31), datetime.date(2019, 1, 1), datetime.date(2018, 1, 5)])
def test_a_cost_outside_the_agreement_period_or_the_year_is_refused(year_2017, coordinator_user, day):
    with pytest.raises(ValidationError) as error:
        services.cost_record(
            budget_year=year_2017,
            budget_line=_line(year_2017, "Material"),
            spent_on=day,
            amount_ore=100,
            description="Papper",
            by=coordinator_user,
        )
    assert "spent_on" in error.value.message_dict
    assert not Cost.objects.exists()


def test_a_zero_cost_is_refused(year_2017, coordinator_user):
    with pytest.raises(ValidationError) as error:
        services.cost_record(
            budget_year=year_2017,
            budget_line=_line(year_2017, "Material"),
            spent_on=datetime.date(2017, 5, 1),
            amount_ore=0,
            description="Papper",
            by=coordinator_user,
        )
    assert "amount" in error.value.message_dict


def test_a_cost_keeps_its_receipt(year_2017, coordinator_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    receipt = SimpleUploadedFile("kvitto.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    cost = services.cost_record(
        budget_year=year_2017,
        budget_line=_line(year_2017, "Material"),
        spent_on=datetime.date(2017, 5, 1),
        amount_ore=100,
        description="Papper",
        receipt=receipt,
        by=coordinator_user,
    )
    assert cost.receipt.name == f"finance/receipts/{cost.public_id}.pdf"
    assert cost.receipt.read() == b"%PDF-1.4 test"


def test_a_closed_year_refuses_costs_and_payments_until_reopened_with_a_reason(year_2017, coordinator_user):
    services.budget_year_close(budget_year=year_2017, by=coordinator_user)
    year_2017.refresh_from_db()
    with pytest.raises(ValidationError):
        services.cost_record(
            budget_year=year_2017,
            budget_line=_line(year_2017, "Material"),
            spent_on=datetime.date(2017, 5, 1),
            amount_ore=100,
            description="Papper",
            by=coordinator_user,
        )
    with pytest.raises(ValidationError):
        services.payment_mark_paid(
            payment=year_2017.payments.get(quarter=1),
            paid_on=datetime.date(2017, 1, 1),
            reference="A",
            by=coordinator_user,
        )
    with pytest.raises(ValidationError):
        services.budget_year_reopen(budget_year=year_2017, reason="", by=coordinator_user)
    services.budget_year_reopen(budget_year=year_2017, reason="Sen faktura för material", by=coordinator_user)
    year_2017.refresh_from_db()
    services.cost_record(
        budget_year=year_2017,
        budget_line=_line(year_2017, "Material"),
        spent_on=datetime.date(2017, 5, 1),
        amount_ore=100,
        description="Papper",
        by=coordinator_user,
    )
    assert list(
        FinanceAuditEntry.objects.filter(budget_year=year_2017)
        .exclude(action=A.SCHEDULE_CREATED)
        .order_by("id")
        .values_list("action", flat=True)
    ) == [A.YEAR_CLOSED, A.YEAR_REOPENED, A.COST_RECORDED]


def test_removing_a_cost_needs_a_reason_an_open_year_and_is_logged(year_2017, coordinator_user):
    cost = services.cost_record(
        budget_year=year_2017,
        budget_line=_line(year_2017, "Material"),
        spent_on=datetime.date(2017, 5, 1),
        amount_ore=4_500_00,
        description="Fel belopp",
        by=coordinator_user,
    )
    with pytest.raises(ValidationError):
        services.cost_remove(cost=cost, reason=" ", by=coordinator_user)
    services.budget_year_close(budget_year=year_2017, by=coordinator_user)
    with pytest.raises(ValidationError):
        services.cost_remove(cost=cost, reason="Fel belopp", by=coordinator_user)
    services.budget_year_reopen(budget_year=year_2017, reason="Rätta en kostnad", by=coordinator_user)
    services.cost_remove(cost=cost, reason="Fel belopp", by=coordinator_user)
    assert not Cost.objects.exists()
    entry = FinanceAuditEntry.objects.get(action=A.COST_REMOVED)
    assert (entry.amount_ore, entry.reason) == (4_500_00, "Fel belopp")
    assert selectors.budget_vs_actual(year_2017).actual_ore == 0
