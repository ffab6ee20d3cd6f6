"""Reminders about the quarterly advance payments (IOP 4.1) for the city's coordinator (see
partnership/reminders.py)."""

import datetime
from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnership.models import Role
from partnership.money import format_ore
from partnership.reminders import DueReminder, members, reminder_kind

from .models import AdvancePayment

# An unpaid advance is reminded about this many days before its due date.
ADVANCE_PAYMENT_NOTICE_DAYS = 14


def _coordinators():
    cache: dict[int, list[int]] = {}

    def coordinators(organisation_id: int) -> list[int]:
        if organisation_id not in cache:
            cache[organisation_id] = members(role=Role.COORDINATOR, organisation_id=organisation_id)
        return cache[organisation_id]

    return coordinators


def _unpaid(**where):
    return AdvancePayment.objects.filter(paid_on__isnull=True, **where).select_related("budget_year__agreement")


def _link(payment: AdvancePayment) -> str:
    return reverse("finance:payments", kwargs={"public_id": payment.budget_year.public_id})


@reminder_kind("advance_payment_due", gettext_lazy("Förskott förfaller"))
def advance_payment_due(today: datetime.date) -> Iterable[DueReminder]:
    """An unpaid quarterly advance falls due within ADVANCE_PAYMENT_NOTICE_DAYS → the coordinators
    of the agreement's public party. Closes when it is paid, or when it becomes overdue."""
    coordinators = _coordinators()
    horizon = today + datetime.timedelta(days=ADVANCE_PAYMENT_NOTICE_DAYS)
    for payment in _unpaid(due_on__gte=today, due_on__lte=horizon):
        summary = _("Förskottet för kvartal %(q)s %(year)s, %(amount)s, förfaller %(day)s.") % {
            "q": payment.quarter,
            "year": payment.budget_year.year,
            "amount": format_ore(payment.amount_ore),
            "day": f"{payment.due_on:%Y-%m-%d}",
        }
        for user_id in coordinators(payment.budget_year.agreement.public_party_id):
            yield DueReminder(user_id, payment, payment.due_on, summary, _link(payment))


@reminder_kind("advance_payment_overdue", gettext_lazy("Förskott försenat"))
def advance_payment_overdue(today: datetime.date) -> Iterable[DueReminder]:
    """An advance past its due date and not marked paid → the coordinators. Closes when paid."""
    coordinators = _coordinators()
    for payment in _unpaid(due_on__lt=today):
        summary = _("Förskottet för kvartal %(q)s %(year)s, %(amount)s, förföll %(day)s och är inte betalt.") % {
            "q": payment.quarter,
            "year": payment.budget_year.year,
            "amount": format_ore(payment.amount_ore),
            "day": f"{payment.due_on:%Y-%m-%d}",
        }
        for user_id in coordinators(payment.budget_year.agreement.public_party_id):
            yield DueReminder(user_id, payment, payment.due_on, summary, _link(payment))
