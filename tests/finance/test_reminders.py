import datetime

import pytest

from finance.models import AdvancePayment
from finance.reminders import advance_payment_overdue
from finance.services import payment_mark_paid
from partnership.models import Reminder, Role
from partnership.reminders import reminder_kinds, reminders_sweep_all
from tests.factories import make_user
from tests.finance.helpers import agreement_with_years

pytestmark = pytest.mark.django_db


def test_the_payment_kinds_are_registered():
    assert {"advance_payment_due", "advance_payment_overdue"} <= set(reminder_kinds())


def test_an_advance_due_soon_then_overdue_reminds_the_coordinators_until_paid():
    coordinator = make_user(Role.COORDINATOR)
    colleague = make_user(Role.COORDINATOR)
    manager = make_user(Role.OPERATIONS_MANAGER)
    make_user(Role.SOCIAL_WORKER)
    agreement_with_years(by=coordinator)
    payment = AdvancePayment.objects.order_by("due_on").first()
    due = Reminder.objects.filter(kind="advance_payment_due")
    overdue = Reminder.objects.filter(kind="advance_payment_overdue")

    assert reminders_sweep_all(today=payment.due_on - datetime.timedelta(days=20))["advance_payment_due"] == 0
    assert reminders_sweep_all(today=payment.due_on - datetime.timedelta(days=10))["advance_payment_due"] == 2
    assert reminders_sweep_all(today=payment.due_on - datetime.timedelta(days=9))["advance_payment_due"] == 0
    assert set(due.values_list("recipient", flat=True)) == {coordinator.pk, colleague.pk}
    assert {reminder.subject_id for reminder in due} == {payment.pk}
    assert f"kvartal {payment.quarter}" in due.first().summary
    assert not Reminder.objects.filter(recipient=manager).exists()

    counts = reminders_sweep_all(today=payment.due_on + datetime.timedelta(days=1))
    assert counts["advance_payment_overdue"] == 2
    assert reminders_sweep_all(today=payment.due_on + datetime.timedelta(days=2))["advance_payment_overdue"] == 0
    assert not due.filter(done_at__isnull=True).exists()
    assert {reminder.subject_id for reminder in overdue} == {payment.pk}
    assert "inte betalt" in overdue.first().summary

    payment_mark_paid(payment=payment, paid_on=payment.due_on, reference="OCR 123", by=coordinator)
    reminders_sweep_all(today=payment.due_on + datetime.timedelta(days=3))
    assert overdue.count() == 2 and not overdue.filter(done_at__isnull=True).exists()


def test_the_payment_sweeps_make_a_fixed_number_of_queries(django_assert_max_num_queries):

    make_user(Role.COORDINATOR)
    agreement_with_years()
    last = AdvancePayment.objects.order_by("due_on").last()
    with django_assert_max_num_queries(2):
        due = list(advance_payment_overdue(last.due_on + datetime.timedelta(days=1)))
    assert len(due) == 2 * AdvancePayment.objects.count()
