"""Issue 12's data migrations on a database that already holds data: a child's second fee of a
year is voided (finance 0007), and the current agreement's four budget lines are installed where
they are missing (partnership 0011), idempotently."""

import datetime
from importlib import import_module

import time_machine
from django.apps import apps as current_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from finance.models import ExternalFee
from groups.models import Placement, SupportGroup
from partnership.models import Agreement, BudgetLine, Role
from tests.factories import SEED_AGREEMENT_PERIOD, make_agreement, make_referral, make_user

BEFORE = [
    ("finance", "0006_annual_report_state_on_the_job"),
    ("partnership", "0008_access_log_indexes_for_every_filter"),
]


@time_machine.travel(datetime.datetime(2017, 1, 20, 10, tzinfo=datetime.UTC), tick=True)
def test_existing_fees_become_one_per_child_and_the_budget_lines_are_installed(migrator_factory):
    """On a day in 2017, inside the seed document's agreement the migration knows."""
    migrator_factory()  # puts the test database back to the latest layout afterwards
    agreement = make_agreement(starts_on=SEED_AGREEMENT_PERIOD[0], ends_on=SEED_AGREEMENT_PERIOD[1])
    manager = make_user(Role.OPERATIONS_MANAGER)
    child = make_referral(agreement=agreement, is_external=True, external_municipality="Solna")
    groups = [
        SupportGroup.objects.create(
            agreement=agreement, name=name, format="weekly", min_age=7, max_age=12, starts_on=datetime.date(2017, 3, 1)
        )
        for name in ("Första", "Andra")
    ]
    first = Placement.objects.create(group=groups[0], referral=child, placed_by=manager)
    Placement.objects.filter(pk=first.pk).update(removed_at=datetime.datetime(2017, 2, 1, tzinfo=datetime.UTC))
    second = Placement.objects.create(group=groups[1], referral=child, placed_by=manager)

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor.loader.build_graph()
    old = executor.loader.project_state(BEFORE).apps
    OldFee = old.get_model("finance", "ExternalFee")
    for placement in (first, second):  # billed per placement, as before
        OldFee.objects.create(
            agreement_id=agreement.pk,
            placement_id=placement.pk,
            municipality="Solna",
            child_initials="AB",
            child_age=10,
            group_name="Grupp",
            amount_ore=500_000,
            invoiced_on=datetime.date(2017, 3, 1),
            recorded_by_id=manager.pk,
        )
    old.get_model("partnership", "BudgetLine").objects.filter(agreement_id=agreement.pk).delete()

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    fees = ExternalFee.objects.filter(referral=child).order_by("pk")
    assert [fee.year for fee in fees] == [2017, 2017]
    assert [fee.is_voided for fee in fees] == [False, True]
    assert "En avgift per barn och år" in fees[1].void_reason
    agreement = Agreement.objects.get(pk=agreement.pk)
    assert agreement.annual_budget_ore == 711_833_00
    # Idempotent: running it again adds nothing.
    migration = import_module("partnership.migrations.0011_current_agreement_budget_lines")
    migration.install_budget_lines(current_apps, None)
    assert BudgetLine.objects.filter(agreement=agreement).count() == 4
