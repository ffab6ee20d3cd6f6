"""The hourly reminder sweep at scale: its queries do not grow with the reminders it records or the
mail jobs it requests (bench/reminders.py times it over 100 000 referrals), and a concurrent
request for the same batch of mails is still found rather than duplicated."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from groups import services as group_services
from partnership import jobs
from partnership.models import BackgroundJob, Reminder, Role
from partnership.reminders import REMINDER_MAILS_JOB, reminder_mails_request, reminders_sweep_all
from partnership.tasks import reminders_sweep
from referrals import purge
from referrals.models import PurgeRule, Referral, ReferralStatus
from referrals.services import referral_transition
from tests.conftest import require_postgresql
from tests.factories import make_group, make_referral, make_user
from tests.referrals.lifecycle import documented_child

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _on_an_ordinary_day(an_ordinary_day):
    """The groups' meetings skip public holidays."""


@pytest.fixture
def people(db):
    return {
        "social_workers": [make_user(Role.SOCIAL_WORKER, district_name="Farsta") for _ in range(2)],
        "manager": make_user(Role.OPERATIONS_MANAGER),
    }


def _due_children(count: int, people: dict, serial: str) -> None:
    """`count` children behind each of the sweep's kinds that remind about one child."""
    social_worker, manager = people["social_workers"][0], people["manager"]
    first = timezone.localdate() + datetime.timedelta(days=5)
    leader = make_user(Role.GROUP_LEADER)  # a group of its own each call: one leader cannot lead two at once
    group = make_group(leaders=[leader], name=f"Grupp {serial}", earliest=first, weekday=first.weekday())
    long_ago = timezone.now() - datetime.timedelta(days=200)
    for n in range(count):
        name = f"{serial}{n}"
        awaiting = make_referral(submitted_by=social_worker, consents=0, first_name=f"Samtycke{name}")
        Referral.objects.filter(pk=awaiting.pk).update(created_at=long_ago)  # consent_missing
        waiting = make_referral(submitted_by=social_worker, first_name=f"Väntar{name}")
        referral_transition(referral=waiting, to_status=ReferralStatus.WAITING_LIST, by=manager)
        Referral.objects.filter(pk=waiting.pk).update(status_changed_at=long_ago)  # waiting_list_review
        documented_child(first_name=f"Snart{name}", last_name="Gallrad", ended_days_ago=25)  # purge_due
        gone = documented_child(first_name=f"Gallrad{name}", last_name="Gallrad", ended_days_ago=40).referral
        purge.referral_purge(referral=gone, by=manager, rule=PurgeRule.MANUAL)  # purge_done
        placed = make_referral(submitted_by=social_worker, first_name=f"Placerad{name}")
        group_services.group_place_child(group=group, referral=placed, placed_by=manager)  # pre_group_visit_missing
        Referral.objects.filter(pk=placed.pk).update(district_acknowledged_at=None)  # district_not_informed


def _first_sweep() -> tuple[int, dict[str, int]]:
    """A sweep that finds every reminder new, as the first run over a backlog does."""
    Reminder.objects.all().delete()
    BackgroundJob.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        created = reminders_sweep()
    return len(queries), created


@pytest.mark.postgresql
def test_the_sweep_takes_as_many_queries_for_a_backlog_as_for_one_child_of_each_kind(monkeypatch, people):
    require_postgresql()  # SQLite's bulk inserts split by its parameter limit, so grow with the rows
    monkeypatch.setattr(jobs, "MAIL_BATCH_SIZE", 2)  # every reminder after the second is a new mail job
    _due_children(1, people, "a")
    _first_sweep()  # content types and the like, cached for the process after the first sweep

    few, created_few = _first_sweep()
    _due_children(3, people, "b")
    many, created_many = _first_sweep()

    kinds = ["consent_missing", "waiting_list_review", "purge_due", "purge_done", "district_not_informed"]
    kinds.append("pre_group_visit_missing")
    assert all(created_many[kind] > created_few[kind] > 0 for kind in kinds), (created_few, created_many)
    assert BackgroundJob.objects.filter(kind=REMINDER_MAILS_JOB).count() > 20
    assert many == few


def test_a_batch_a_concurrent_sweep_requested_first_is_found_not_requested_twice(monkeypatch, people):
    monkeypatch.setattr(jobs, "MAIL_BATCH_SIZE", 2)
    for n in range(3):
        referral = make_referral(submitted_by=people["social_workers"][0], consents=0, first_name=f"Barn{n}")
        Referral.objects.filter(pk=referral.pk).update(created_at=timezone.now() - datetime.timedelta(days=20))
    reminders_sweep_all()
    reminders = list(Reminder.objects.order_by("pk").values_list("pk", flat=True))
    assert len(reminders) == 6  # three children, two social workers: three batches of two
    # The other sweep's job has the key of the first batch but holds none of its rows yet (its
    # transaction had not committed when this sweep read the active jobs).
    theirs = BackgroundJob.objects.create(kind=REMINDER_MAILS_JOB, key=f"{REMINDER_MAILS_JOB}:{reminders[0]}")

    requested = reminder_mails_request()

    assert [job.arguments["ids"] for job in requested] == [reminders[2:4], reminders[4:6]]
    assert BackgroundJob.objects.filter(kind=REMINDER_MAILS_JOB).count() == 3
    assert BackgroundJob.objects.filter(pk=theirs.pk, arguments={}).exists()
