"""Shared finance test setup: the 2017–2018 agreement with its years and payment schedules."""

from finance.services import budget_years_create
from partnership.models import Role
from tests.factories import make_agreement, make_user


def agreement_with_years(by=None):
    by = by or make_user(Role.COORDINATOR)
    agreement = make_agreement()
    years = budget_years_create(agreement=agreement, by=by)
    return agreement, years
