"""Shared finance test setup: the 2017–2018 agreement with its years and payment schedules."""

from finance.services import budget_years_create
from partnership.models import Role
from tests.factories import SEED_AGREEMENT_PERIOD, make_agreement, make_user


def agreement_with_years(by=None):
    by = by or make_user(Role.COORDINATOR)
    agreement = make_agreement(starts_on=SEED_AGREEMENT_PERIOD[0], ends_on=SEED_AGREEMENT_PERIOD[1])
    years = budget_years_create(agreement=agreement, by=by)
    return agreement, years
