"""What a group allows is decided in one place (groups.rules.GROUP_ACTIONS): the page shows those
actions and the services refuse the others. Every status change of a group names who made it."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from groups import services
from groups.models import GroupStatus, Placement, SupportGroup, VisitKind
from groups.selectors import group_actions
from partnership import history
from partnership.models import Role
from tests.factories import make_agreement, make_group, make_referral, make_user
from tests.history import status_changes

pytestmark = pytest.mark.django_db

PLAN = {"open", "place", "split", "start", "cancel", "remove_child"}
LEAD = {"record_visit", "family_reminders", "move_meeting", "take_attendance", "attendance_pdf", "close"}


@pytest.fixture
def agreement():
    today = timezone.localdate()
    return make_agreement(starts_on=today.replace(month=1, day=1), ends_on=datetime.date(today.year + 1, 12, 31))


@pytest.fixture
def manager(agreement):
    return make_user(Role.OPERATIONS_MANAGER, username="vera")


@pytest.fixture
def leader(agreement):
    return make_user(Role.GROUP_LEADER, username="greta")


def _allowed(group, user) -> set[str]:
    return {action for action, allowed in group_actions(group, user).items() if allowed}


def _started(manager, leader, *, earliest=None):
    group = make_group(
        leaders=[leader], manager=manager, earliest=earliest or timezone.localdate() - datetime.timedelta(days=70)
    )
    for n in range(5):
        placement = services.group_place_child(
            group=group, referral=make_referral(first_name=f"B{n}"), placed_by=manager
        )
        services.pre_group_visit_record(
            placement=placement, recorded_by=manager, kind=VisitKind.EXCEPTION, exception_reason="Test"
        )
    return services.group_start(group=group, by=manager)


def test_each_status_allows_its_own_actions_to_each_role(manager, leader):
    group = make_group(leaders=[leader], manager=manager, open_for_placement=False)
    assert _allowed(group, manager) == {
        "open",
        "cancel",
        "remove_child",
        "record_visit",
        "family_reminders",
        "move_meeting",
    }
    assert _allowed(group, leader) == {"record_visit", "family_reminders", "move_meeting"}
    group = services.group_open(group=group, by=manager)
    assert _allowed(group, manager) == {
        "place", "start", "cancel", "remove_child", "record_visit", "family_reminders", "move_meeting"
    }  # fmt: skip
    assert _allowed(group, make_user(Role.COORDINATOR)) == set()
    assert _allowed(group, make_user(Role.GROUP_LEADER)) == set()  # not this group's leader

    running = _started(make_user(Role.OPERATIONS_MANAGER), leader)
    assert _allowed(running, leader) == {
        "family_reminders",
        "move_meeting",
        "take_attendance",
        "attendance_pdf",
        "close",
    }
    running.status = GroupStatus.CLOSED
    assert _allowed(running, leader) == {"attendance_pdf"}
    running.status = GroupStatus.CANCELLED
    assert _allowed(running, manager) == set()


def test_only_an_open_support_weekend_that_is_not_split_can_be_split(manager, leader):
    weekend = make_group(format="weekend", leaders=[leader], manager=manager)
    assert {"split", "place"} <= _allowed(weekend, manager)
    weekly = make_group(leaders=[leader], manager=manager, name="Vecka", start_hour=10)
    assert "split" not in _allowed(weekly, manager)


def test_the_group_page_shows_exactly_the_allowed_actions(manager, leader, make_signed_in_client):
    group = make_group(leaders=[leader], manager=manager, open_for_placement=False)
    page = make_signed_in_client(manager).get(reverse("groups:detail", args=[group.public_id])).content.decode()
    assert "Öppna för placering" in page and "Ställ in gruppen" in page
    assert "Starta gruppen" not in page and "Avsluta gruppen" not in page and "Placera barn" not in page

    running = _started(manager, leader)
    page = make_signed_in_client(leader).get(reverse("groups:detail", args=[running.public_id])).content.decode()
    assert "Avsluta gruppen" in page and "Närvarolista (PDF)" in page
    assert "Öppna för placering" not in page and "Ställ in gruppen" not in page
    assert reverse("groups:visit", args=[running.public_id, running.placements.first().pk]) not in page


def test_a_post_to_an_action_the_group_does_not_allow_is_refused_and_changes_nothing(
    manager, leader, make_signed_in_client
):
    group = make_group(leaders=[leader], manager=manager, open_for_placement=False)
    client = make_signed_in_client(manager)
    response = client.post(reverse("groups:action", args=[group.public_id]), {"action": "start"})
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Det går inte när gruppens status är ”Planerad”."]
    group.refresh_from_db()
    assert group.status == GroupStatus.PLANNED
    assert [change.new for change in status_changes(group)] == [GroupStatus.PLANNED]


def test_the_services_refuse_what_the_page_does_not_offer(manager, leader):
    running = _started(manager, leader)
    placement = running.placements.first()
    with pytest.raises(ValidationError, match="gruppens status är ”Pågår”"):
        services.placement_remove(placement=placement, by=manager, reason="Flyttar")
    with pytest.raises(ValidationError, match="gruppens status är ”Pågår”"):
        services.pre_group_visit_record(
            placement=placement, recorded_by=leader, kind=VisitKind.EXCEPTION, exception_reason="Sent"
        )
    with pytest.raises(ValidationError, match="gruppens status är ”Pågår”"):
        services.group_cancel(group=running, by=manager, reason="Ingen lokal")
    assert Placement.objects.get(pk=placement.pk).removed_at is None
    assert SupportGroup.objects.get(pk=running.pk).status == GroupStatus.RUNNING


def test_opening_starting_and_cancelling_a_group_record_who_did_it(manager, leader):
    planner = make_user(Role.OPERATIONS_MANAGER, username="olle")
    group = make_group(leaders=[leader], manager=planner, open_for_placement=False)
    services.group_open(group=group, by=manager)
    services.group_cancel(group=group, by=planner, reason="Ingen lokal i höst")
    changes = [(c.old, c.new, c.by, c.reason) for c in status_changes(group)]
    assert changes == [
        (None, GroupStatus.PLANNED, planner, ""),
        (GroupStatus.PLANNED, GroupStatus.OPEN, manager, ""),
        (GroupStatus.OPEN, GroupStatus.CANCELLED, planner, "Ingen lokal i höst"),
    ]

    started = _started(manager, leader)
    assert [(c.new, c.by) for c in status_changes(started)][-1] == (GroupStatus.RUNNING, manager)


def test_a_support_weekends_subgroups_follow_it_in_their_history_too(manager, leader):
    weekend = make_group(format="weekend", leaders=[leader], manager=manager)
    children = [make_referral(first_name=f"B{n}", age=age) for n, age in enumerate([8, 8, 9, 9, 9, 14, 14, 15, 15, 15])]
    subgroups = services.weekend_split_apply(group=weekend, referrals=children, by=manager)
    services.group_cancel(group=weekend, by=manager, reason="Sjukdom")
    for subgroup in subgroups:
        assert [(c.new, c.by) for c in status_changes(subgroup)][-1] == (GroupStatus.CANCELLED, manager)


def test_a_change_made_by_a_rule_has_no_actor_even_inside_a_request(manager):
    """The actor is the service's `by`, not whoever happens to be signed in around it."""
    group = make_group(manager=manager, open_for_placement=False)
    with history.acting(manager):
        with history.acting(None):
            services.group_open(group=group, by=None)
        group.refresh_from_db()
        services.group_cancel(group=group, by=manager, reason="Test")  # the outer actor is back
    assert [(c.new, c.by) for c in status_changes(group)][1:] == [
        (GroupStatus.OPEN, None),
        (GroupStatus.CANCELLED, manager),
    ]
