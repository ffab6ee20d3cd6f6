import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from consent.services import consent_withdraw
from finance.models import ExternalFee
from groups import schedule, services, signals
from groups.models import (
    Attendance,
    GroupStatus,
    Placement,
    PreGroupVisit,
    Premises,
    SupportGroup,
    VisitKind,
)
from groups.rules import visit_fields_checked
from groups.selectors import annual_targets
from partnership.models import Role
from referrals.models import PurgeRule, ReferralStatus
from referrals.purge import referral_purge
from referrals.services import referral_transition
from tests.factories import make_group, make_referral, make_user, shift_years
from tests.history import changes_of, status_changes

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return make_user(Role.OPERATIONS_MANAGER, username="vera")


def _ready_children(count, **kwargs):
    return [make_referral(first_name=f"Barn{n}", **kwargs) for n in range(count)]


def _place(group, referrals, by):
    return [services.group_place_child(group=group, referral=referral, placed_by=by) for referral in referrals]


def _visit_all(group, by):
    for placement in Placement.objects.filter(group=group, removed_at__isnull=True):
        services.pre_group_visit_record(
            placement=placement,
            recorded_by=by,
            kind=VisitKind.HOME,
            visit_date=timezone.localdate(),
            leader=by,
            outcome="Barnet och familjehemmet är förberedda.",
        )


# --- planning ---


def test_group_create_makes_eight_meetings_in_a_planned_group(manager):
    group = make_group(open_for_placement=False)
    assert group.status == GroupStatus.PLANNED
    assert group.meetings.count() == 8
    assert group.starts_on == timezone.localtime(group.meetings.first().starts_at).date()


def test_overlapping_meetings_for_the_same_leader_are_refused(manager):
    leader = make_user(Role.GROUP_LEADER)
    make_group(leaders=[leader])
    with pytest.raises(ValidationError) as error:
        make_group(leaders=[leader], name="Krock")
    assert "leaders" in error.value.message_dict

    assert not SupportGroup.objects.filter(name="Krock").exists()  # nothing half-saved


def test_overlapping_meetings_in_the_same_premises_are_refused(manager):
    room = Premises.objects.create(name="Stora rummet")
    make_group(premises=room)
    with pytest.raises(ValidationError) as error:
        make_group(premises=room, name="Krock")
    assert "premises" in error.value.message_dict


def test_a_cancelled_group_frees_its_leader_and_premises(manager):
    leader = make_user(Role.GROUP_LEADER)
    group = make_group(leaders=[leader])
    services.group_cancel(group=group, by=manager, reason="För få anmälda")
    make_group(leaders=[leader], name="Ny tid")


def test_a_leader_moves_one_meeting_but_not_onto_a_holiday(manager):
    group = make_group(earliest=datetime.date(2027, 3, 15))
    meeting = group.meetings.all()[1]
    new_start = datetime.datetime(2027, 3, 24, 16, tzinfo=schedule.STOCKHOLM)
    services.meeting_move(meeting=meeting, starts_at=new_start, by=manager)
    meeting.refresh_from_db()
    assert meeting.starts_at == new_start and meeting.ends_at - meeting.starts_at == datetime.timedelta(hours=2)
    with pytest.raises(ValidationError) as error:
        services.meeting_move(
            meeting=meeting, starts_at=datetime.datetime(2027, 3, 29, 16, tzinfo=schedule.STOCKHOLM), by=manager
        )
    assert "helgdag" in str(error.value)
    meeting.refresh_from_db()
    assert meeting.starts_at == new_start


def test_moving_a_weekend_day_to_a_friday_is_refused(manager):
    group = make_group(format="weekend", earliest=datetime.date(2027, 9, 6))
    first = group.meetings.first()
    with pytest.raises(ValidationError) as error:
        services.meeting_move(
            meeting=first, starts_at=datetime.datetime(2027, 9, 10, 10, tzinfo=schedule.STOCKHOLM), by=manager
        )
    assert "ingen lördag eller söndag" in str(error.value)


def test_group_age_band_must_lie_within_the_target_group(manager):
    with pytest.raises(ValidationError) as error:
        make_group(min_age=5, max_age=9)
    assert "min_age" in error.value.message_dict


# --- placing ---


def test_placing_a_ready_child_moves_the_referral_to_placed(manager):
    group = make_group()
    referral = make_referral()
    assert referral.status == ReferralStatus.READY
    placement = services.group_place_child(group=group, referral=referral, placed_by=manager)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PLACED
    assert placement.group == group


def test_placing_a_child_who_is_not_ready_is_refused(manager):
    group = make_group()
    referral = make_referral(consents=1)  # one of two guardians has consented
    assert referral.status == ReferralStatus.AWAITING_CONSENT
    with pytest.raises(ValidationError) as error:
        services.group_place_child(group=group, referral=referral, placed_by=manager)
    assert "inte klart för placering" in error.value.message_dict["referral"][0]
    assert not Placement.objects.exists()


def test_a_ninth_child_is_refused(manager):
    group = make_group()
    _place(group, _ready_children(8), manager)
    ninth = make_referral(first_name="Nionde")
    with pytest.raises(ValidationError) as error:
        services.group_place_child(group=group, referral=ninth, placed_by=manager)
    assert "8 av 8" in error.value.message_dict["referral"][0]
    ninth.refresh_from_db()
    assert ninth.status == ReferralStatus.READY
    assert Placement.objects.filter(group=group).count() == 8


def test_a_child_outside_the_age_band_needs_a_written_override(manager):
    group = make_group(min_age=13, max_age=15)
    young = make_referral(age=10)
    with pytest.raises(ValidationError) as error:
        services.group_place_child(group=group, referral=young, placed_by=manager)
    assert "age_override_reason" in error.value.message_dict
    placement = services.group_place_child(
        group=group, referral=young, placed_by=manager, age_override_reason="Syskon i gruppen"
    )
    assert placement.age_override_reason == "Syskon i gruppen"


@pytest.mark.parametrize("reason", ["", "Syskon i gruppen"])
def test_a_child_outside_the_target_group_on_the_groups_start_cannot_be_placed(manager, reason):
    # Referred at 18 (inside 7–18); the group starts after the 19th birthday.
    referral = make_referral(age=18, planned_start=timezone.localdate() + datetime.timedelta(days=10))
    child = referral.child
    group_start = timezone.localdate() + datetime.timedelta(days=60)
    child.birth_date = shift_years(group_start, -19) - datetime.timedelta(days=5)
    child.save()
    group = make_group(min_age=13, max_age=18, earliest=group_start)
    with pytest.raises(ValidationError) as error:
        services.group_place_child(group=group, referral=referral, placed_by=manager, age_override_reason=reason)
    assert error.value.message_dict["referral"] == [
        "Barnet är 19 år när gruppen startar; överenskommelsen gäller barn 7–18 år. "
        "Barn utanför målgruppen kan inte anmälas eller placeras."
    ]
    assert not Placement.objects.filter(referral=referral).exists()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.READY


def test_a_child_can_only_be_placed_in_an_open_group(manager):
    group = make_group(open_for_placement=False)
    with pytest.raises(ValidationError):
        services.group_place_child(group=group, referral=make_referral(), placed_by=manager)


def test_removing_a_child_puts_it_back_on_the_waiting_list_with_the_reason(manager):
    group = make_group()
    (placement,) = _place(group, _ready_children(1), manager)
    with pytest.raises(ValidationError):
        services.placement_remove(placement=placement, by=manager, reason=" ")
    services.placement_remove(placement=placement, by=manager, reason="Familjen flyttar")
    referral = placement.referral
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WAITING_LIST
    assert status_changes(referral)[-1].reason == "Familjen flyttar"
    placement.refresh_from_db()
    assert placement.removed_at is not None and placement.removal_reason == "Familjen flyttar"


def test_placing_a_child_from_another_municipality_records_the_fee(manager):

    group = make_group()
    referral = make_referral(is_external=True, external_municipality="Nacka")
    placement = services.group_place_child(group=group, referral=referral, placed_by=manager)
    fee = ExternalFee.objects.get(placement=placement)
    assert fee.amount_ore == 500_000 and fee.municipality == "Nacka"


def test_withdrawing_a_placed_referral_ends_its_placement(manager):
    group = make_group()
    (placement,) = _place(group, _ready_children(1), manager)
    referral_transition(
        referral=placement.referral, to_status=ReferralStatus.WITHDRAWN, by=manager, reason="Samtycket återkallat"
    )
    placement.refresh_from_db()
    assert placement.removed_at is not None
    assert placement.removal_reason == "Samtycket återkallat"


def test_withdrawing_consent_takes_the_child_out_of_the_group(manager):

    group = make_group()
    (placement,) = _place(group, _ready_children(1), manager)
    consent = placement.referral.consents.first()
    consent_withdraw(consent=consent, by=placement.referral.submitted_by, reason="Vårdnadshavaren ångrade sig")
    placement.refresh_from_db()
    assert placement.removed_at is not None
    assert Placement.objects.filter(group=group, removed_at__isnull=True).count() == 0


# --- starting ---


def test_a_group_cannot_start_with_fewer_than_five_and_shows_the_count(manager):
    group = make_group()
    _place(group, _ready_children(4), manager)
    _visit_all(group, manager)
    with pytest.raises(ValidationError) as error:
        services.group_start(group=group, by=manager)
    assert "4 barn" in str(error.value)
    group.refresh_from_db()
    assert group.status == GroupStatus.OPEN


def test_a_group_cannot_start_before_every_child_has_had_a_visit(manager):
    group = make_group()
    placements = _place(group, _ready_children(5), manager)
    for placement in placements[:4]:
        services.pre_group_visit_record(
            placement=placement,
            recorded_by=manager,
            kind=VisitKind.PREMISES,
            visit_date=timezone.localdate(),
            leader=manager,
            outcome="Bra besök",
        )
    # Planned but not yet held: does not count.
    services.pre_group_visit_record(
        placement=placements[4],
        recorded_by=manager,
        kind=VisitKind.HOME,
        visit_date=timezone.localdate() + datetime.timedelta(days=3),
        leader=manager,
    )
    with pytest.raises(ValidationError) as error:
        services.group_start(group=group, by=manager)
    assert "1 barn" in str(error.value)
    services.pre_group_visit_record(
        placement=placements[4], recorded_by=manager, kind=VisitKind.EXCEPTION, exception_reason="Bor långt bort"
    )
    group = services.group_start(group=group, by=manager)
    assert group.status == GroupStatus.RUNNING


def test_an_exception_needs_a_written_reason_and_an_outcome_cannot_precede_the_visit(manager):
    group = make_group()
    (placement,) = _place(group, _ready_children(1), manager)
    with pytest.raises(ValidationError) as error:
        services.pre_group_visit_record(placement=placement, recorded_by=manager, kind=VisitKind.EXCEPTION)
    assert "exception_reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.pre_group_visit_record(
            placement=placement,
            recorded_by=manager,
            kind=VisitKind.HOME,
            visit_date=timezone.localdate() + datetime.timedelta(days=2),
            leader=manager,
            outcome="Gick bra",
        )
    assert "outcome" in error.value.message_dict
    assert not PreGroupVisit.objects.exists()


# --- attendance and closing ---


def _running_group_in_the_past(manager, leader):
    group = make_group(leaders=[leader], earliest=timezone.localdate() - datetime.timedelta(days=70))
    placements = _place(group, _ready_children(5), manager)
    _visit_all(group, manager)
    return services.group_start(group=group, by=manager), placements


def test_attendance_is_recorded_per_child_with_a_reason_for_absence(manager):
    leader = make_user(Role.GROUP_LEADER)
    group, placements = _running_group_in_the_past(manager, leader)
    meeting = group.meetings.first()
    entries = [services.AttendanceEntry(placement=p, present=True) for p in placements[:4]]
    with pytest.raises(ValidationError):
        services.attendance_record(
            meeting=meeting, entries=[*entries, services.AttendanceEntry(placements[4], present=False)], by=leader
        )
    assert not meeting.attendances.exists()
    records = services.attendance_record(
        meeting=meeting,
        entries=[*entries, services.AttendanceEntry(placements[4], present=False, absence_reason="ill")],
        by=leader,
    )
    assert [r.present for r in records] == [True, True, True, True, False]
    meeting.refresh_from_db()
    assert meeting.held_confirmed_by == leader
    # Recording again corrects, never duplicates.
    services.attendance_record(meeting=meeting, entries=[services.AttendanceEntry(placements[4], True)], by=leader)
    assert meeting.attendances.count() == 5 and meeting.attendances.filter(present=True).count() == 5


def test_attendance_for_a_future_meeting_is_refused(manager):
    leader = make_user(Role.GROUP_LEADER)
    group, placements = _running_group_in_the_past(manager, leader)
    meeting = group.meetings.last()
    meeting.starts_at = timezone.now() + datetime.timedelta(days=3)
    meeting.ends_at = meeting.starts_at + datetime.timedelta(hours=2)
    meeting.save()
    with pytest.raises(ValidationError):
        services.attendance_record(meeting=meeting, entries=[services.AttendanceEntry(placements[0], True)], by=leader)


def test_closing_a_group_completes_its_children_and_sets_the_purge_hook(manager, django_capture_on_commit_callbacks):
    leader = make_user(Role.GROUP_LEADER)
    group, placements = _running_group_in_the_past(manager, leader)
    received = []
    signals.group_closed.connect(lambda sender, group_id, **kw: received.append(group_id), weak=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.group_close(group=group, by=leader)
    group.refresh_from_db()
    assert group.status == GroupStatus.CLOSED and group.closed_at is not None
    assert group.meetings.order_by("-starts_at").first().held_confirmed_by == leader
    for placement in placements:
        placement.referral.refresh_from_db()
        assert placement.referral.status == ReferralStatus.COMPLETED
        assert placement.referral.ended_at is not None
    assert received == [group.pk]


def test_a_group_cannot_close_before_its_last_meeting(manager):
    group = make_group()
    _place(group, _ready_children(5), manager)
    _visit_all(group, manager)
    group = services.group_start(group=group, by=manager)
    with pytest.raises(ValidationError):
        services.group_close(group=group, by=manager)
    group.refresh_from_db()
    assert group.status == GroupStatus.RUNNING


def test_cancelling_a_group_returns_its_children_to_the_waiting_list(manager):
    group = make_group()
    placements = _place(group, _ready_children(2), manager)
    services.group_cancel(group=group, by=manager, reason="Ledaren är sjuk")
    for placement in placements:
        placement.referral.refresh_from_db()
        assert placement.referral.status == ReferralStatus.WAITING_LIST
    assert not Placement.objects.filter(group=group, removed_at__isnull=True).exists()


# --- support weekend subgroups ---


def test_a_big_weekend_is_split_into_age_ordered_subgroups(manager):
    weekend = make_group(format="weekend", min_age=7, max_age=15)
    children = [make_referral(age=7 + n % 9, first_name=f"Helg{n}") for n in range(12)]
    _place(weekend, children[:3], manager)
    proposal = services.weekend_split_propose(group=weekend, referrals=children)
    assert [len(part.referrals) for part in proposal] == [6, 6]
    assert proposal[0].max_age <= proposal[1].min_age
    subgroups = services.weekend_split_apply(group=weekend, referrals=children[3:], by=manager)
    assert [Placement.objects.filter(group=s, removed_at__isnull=True).count() for s in subgroups] == [6, 6]
    assert not Placement.objects.filter(group=weekend, removed_at__isnull=True).exists()
    with pytest.raises(ValidationError):
        services.group_place_child(group=weekend, referral=make_referral(), placed_by=manager)


def test_waiting_list_moves_need_a_reason(manager):
    referral = make_referral()
    with pytest.raises(ValidationError) as error:
        services.waiting_list_move(referral=referral, steps=1, reason="", by=manager)
    assert "reason" in error.value.message_dict
    moved = services.waiting_list_move(referral=referral, steps=1, reason="Akut behov", by=manager)
    assert moved.waiting_priority == 1
    move = changes_of(referral, "waiting_priority")[-1]
    assert (move.old, move.new, move.by, move.reason) == (0, 1, manager, "Akut behov")


def test_purging_a_childs_data_after_the_group_empties_its_group_records(manager):

    leader = make_user(Role.GROUP_LEADER)
    group = make_group(leaders=[leader], earliest=timezone.localdate() - datetime.timedelta(days=70))
    referrals = _ready_children(5)
    services.waiting_list_move(referral=referrals[0], steps=1, reason="Barnet mår dåligt", by=manager)
    placements = _place(group, referrals, manager)
    for placement in placements:
        services.pre_group_visit_record(
            placement=placement, recorded_by=manager, kind=VisitKind.EXCEPTION, exception_reason="Bor i Kiruna"
        )
    group = services.group_start(group=group, by=manager)
    services.attendance_record(
        meeting=group.meetings.first(),
        entries=[services.AttendanceEntry(p, present=False, absence_reason="ill", note="Feber") for p in placements],
        by=leader,
    )
    services.group_close(group=group, by=leader)
    referral_purge(referral=placements[0].referral, by=manager, rule=PurgeRule.MANUAL)
    assert PreGroupVisit.objects.get(placement=placements[0]).exception_reason == ""
    assert Attendance.objects.get(placement=placements[0]).note == ""
    # The move stays in the referral's history, without its reason.
    assert [(move.old, move.new, move.reason) for move in changes_of(referrals[0], "waiting_priority")][1:] == [
        (0, 1, "")
    ]
    assert PreGroupVisit.objects.get(placement=placements[1]).exception_reason == "Bor i Kiruna"


def test_annual_targets_count_a_split_weekend_once_and_its_children_each(manager):

    weekend = make_group(format="weekend", min_age=7, max_age=15, earliest=timezone.localdate().replace(month=1, day=2))
    # 8 or older at the planned start: at least 7 on the (earlier) weekend, inside the target group.
    children = [make_referral(age=8 + n % 8, first_name=f"Helg{n}") for n in range(10)]
    subgroups = services.weekend_split_apply(group=weekend, referrals=children, by=manager)
    for subgroup in subgroups:
        _visit_all(subgroup, manager)
    services.group_start(group=weekend, by=manager)
    targets = annual_targets(agreement=weekend.agreement)
    assert (targets.groups_held, targets.children_reached) == (1, 10)
    assert (targets.groups_target, targets.children_target) == (4, 40)


@pytest.mark.parametrize(
    ("fields", "refused_field"),
    [
        ({"kind": VisitKind.EXCEPTION, "exception_reason": "  "}, "exception_reason"),
        ({"kind": VisitKind.HOME, "visit_date": None, "leader": "leader"}, "visit_date"),
        ({"kind": VisitKind.HOME, "visit_date": datetime.date(2027, 3, 1), "leader": None}, "leader"),
        # An outcome is written once the visit has taken place, not before.
        (
            {"kind": VisitKind.HOME, "visit_date": datetime.date(2027, 3, 2), "leader": "leader", "outcome": "Bra"},
            "outcome",
        ),
    ],
)
def test_the_contact_before_the_group_is_refused_beside_its_field(fields, refused_field):
    arguments = {"visit_date": None, "leader": None, "outcome": "", "exception_reason": "", **fields}
    if arguments["leader"] == "leader":
        arguments["leader"] = object()
    with pytest.raises(ValidationError) as error:
        visit_fields_checked(**arguments, today=datetime.date(2027, 3, 1))
    assert list(error.value.message_dict) == [refused_field]


def test_an_exception_keeps_only_its_reason_and_a_held_visit_its_outcome():
    leader = object()
    exception = visit_fields_checked(
        kind=VisitKind.EXCEPTION,
        visit_date=datetime.date(2027, 3, 1),
        leader=leader,
        outcome="Bra",
        exception_reason=" Bor i Kiruna ",
        today=datetime.date(2027, 3, 1),
    )
    assert exception == {
        "kind": VisitKind.EXCEPTION,
        "visit_date": None,
        "leader": None,
        "outcome": "",
        "exception_reason": "Bor i Kiruna",
    }
    held = visit_fields_checked(
        kind=VisitKind.HOME,
        visit_date=datetime.date(2027, 3, 1),
        leader=leader,
        outcome=" Gick bra ",
        exception_reason="Glömd text",
        today=datetime.date(2027, 3, 1),
    )
    assert held["outcome"] == "Gick bra" and held["exception_reason"] == "" and held["leader"] is leader
