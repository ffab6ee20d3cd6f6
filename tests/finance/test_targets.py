"""IOP 3.1.2: at least four groups and about 40 children a year. A year falling behind, prorated
over the year and counting planned groups, is flagged on the coordinator's and the operations
manager's home pages (rule: finance/rules.py)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from finance import rules
from finance.selectors import target_status_for
from groups.models import GroupStatus, SupportGroup
from partnership.models import Role
from tests.factories import make_agreement, make_user

pytestmark = pytest.mark.django_db

YEAR = 2026


def _status(on, groups, children, starts_on=datetime.date(YEAR, 1, 1)):
    return rules.target_status(
        year=YEAR, starts_on=starts_on, on=on, target_groups=4, target_children=40, groups=groups, children=children
    )


def test_the_targets_are_prorated_over_the_year():
    march = _status(datetime.date(YEAR, 3, 1), groups=0, children=5)
    assert (march.expected_groups, march.expected_children) == (0, 5) and not march.behind  # not a quarter gone
    july = _status(datetime.date(YEAR, 7, 2), groups=1, children=18)
    assert (july.expected_groups, july.expected_children) == (2, 18)
    assert july.groups_behind and not july.children_behind
    december = _status(datetime.date(YEAR, 12, 31), groups=4, children=36)
    assert (december.expected_groups, december.expected_children) == (4, 36) and not december.behind
    assert _status(datetime.date(YEAR, 12, 31), groups=4, children=35).children_behind


def test_an_agreement_starting_mid_year_expects_its_part_of_the_year():
    status = _status(datetime.date(YEAR, 12, 31), groups=2, children=18, starts_on=datetime.date(YEAR, 7, 1))
    assert (status.expected_groups, status.expected_children) == (2, 18) and not status.behind


@pytest.fixture
def agreement():
    today = timezone.localdate()
    return make_agreement(starts_on=today.replace(month=1, day=1), ends_on=today.replace(month=12, day=31))


def _planned(agreement, name, starts_on, status=GroupStatus.PLANNED):
    return SupportGroup.objects.create(
        agreement=agreement, name=name, format="weekly", status=status, min_age=7, max_age=12, starts_on=starts_on
    )


def test_a_year_behind_is_flagged_on_both_home_pages(agreement, make_signed_in_client):
    # A target high enough that even on 1 January one group is due, whatever day the test runs.
    agreement.target_groups_per_year = 400
    agreement.save(update_fields=["target_groups_per_year"])
    for role in (Role.COORDINATOR, Role.OPERATIONS_MANAGER):
        body = make_signed_in_client(make_user(role)).get(reverse("home")).content.decode()
        assert 'id="targets-behind"' in body and "ligger efter målen" in body
    body = make_signed_in_client(make_user(Role.GROUP_LEADER)).get(reverse("home")).content.decode()
    assert 'id="targets-behind"' not in body


def test_planned_groups_count_and_cancelled_ones_do_not(agreement, make_signed_in_client):
    today = timezone.localdate()
    year_start = today.replace(month=1, day=1)
    for n in range(3):
        _planned(agreement, f"Grupp {n}", year_start + datetime.timedelta(days=n))
    _planned(agreement, "Inställd", year_start, status=GroupStatus.CANCELLED)
    _planned(agreement, "Planerad i december", today.replace(month=12, day=20))
    status = target_status_for(agreement, on=today.replace(month=12, day=31))
    assert status.groups == 4  # three early ones and the December one; the cancelled one left out
    assert not status.groups_behind


def test_a_year_on_track_is_not_flagged(agreement, make_signed_in_client):
    agreement.target_children_per_year = 1
    agreement.save(update_fields=["target_children_per_year"])
    for n in range(4):
        _planned(agreement, f"Grupp {n}", agreement.starts_on + datetime.timedelta(days=n))
    body = make_signed_in_client(make_user(Role.COORDINATOR)).get(reverse("home")).content.decode()
    assert 'id="targets-behind"' not in body
