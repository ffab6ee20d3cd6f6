import datetime
import uuid

import pytest
from django.utils import timezone

from followup.models import EvaluationAnswerSet
from followup.reminders import EVALUATION_FOLLOW_UP_MONTHS, add_months
from groups import services
from groups.models import Meeting, Premises, VisitKind
from groups.reminders import pre_group_visit_missing
from partnership.models import Reminder, Role
from partnership.reminders import reminder_kinds, reminders_sweep_all
from partnership.tasks import reminders_sweep
from tests.factories import make_group, make_referral, make_user
from tests.followup.factories import instrument, place_children
from tests.followup.factories import make_group as make_closed_group

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _on_an_ordinary_day(an_ordinary_day):
    """These tests count the days to a group's meetings, and the schedule skips public holidays."""


def _reminders(kind):
    return Reminder.objects.filter(kind=kind)


def test_the_group_kinds_are_registered():
    assert {
        "pre_group_visit_missing",
        "meeting_tomorrow",
        "evaluation_after_due",
        "evaluation_follow_up_due",
    } <= set(reminder_kinds())


# --- Pre-group visit ---------------------------------------------------------------------------------


def _group_starting_in(days, *, leaders, name):
    first = timezone.localdate() + datetime.timedelta(days=days)
    return make_group(leaders=leaders, name=name, earliest=first, weekday=first.weekday())


def test_a_missing_visit_a_week_before_start_reminds_the_leaders_once_and_closes_when_done():
    anna, bo = make_user(Role.GROUP_LEADER), make_user(Role.GROUP_LEADER)
    other_leader = make_user(Role.GROUP_LEADER)
    manager = make_user(Role.OPERATIONS_MANAGER)
    soon = _group_starting_in(5, leaders=[anna, bo], name="Snartgruppen")
    later = _group_starting_in(20, leaders=[other_leader], name="Senaregruppen")
    child = make_referral(first_name="Ingeborg")
    placement = services.group_place_child(group=soon, referral=child, placed_by=manager)
    services.group_place_child(group=later, referral=make_referral(first_name="Senare"), placed_by=manager)

    assert reminders_sweep_all()["pre_group_visit_missing"] == 2
    assert reminders_sweep_all()["pre_group_visit_missing"] == 0
    reminders = _reminders("pre_group_visit_missing")
    assert set(reminders.values_list("recipient", flat=True)) == {anna.pk, bo.pk}
    assert {reminder.subject_id for reminder in reminders} == {placement.pk}
    reminder = reminders.first()
    assert child.pseudonym in reminder.summary and "Snartgruppen" in reminder.summary
    assert "Ingeborg" not in reminder.summary and child.child.identity_number not in reminder.summary
    assert reminder.due_on == soon.starts_on

    # A planned visit is not yet done; a recorded outcome (or an exception) is.
    services.pre_group_visit_record(
        placement=placement, recorded_by=anna, kind=VisitKind.HOME, visit_date=soon.starts_on, leader=anna
    )
    reminders_sweep_all()
    assert _reminders("pre_group_visit_missing").filter(done_at__isnull=True).count() == 2
    services.pre_group_visit_record(
        placement=placement, recorded_by=anna, kind=VisitKind.EXCEPTION, exception_reason="Familjen har flyttat."
    )
    reminders_sweep_all()
    assert _reminders("pre_group_visit_missing").filter(done_at__isnull=True).count() == 0
    assert _reminders("pre_group_visit_missing").count() == 2


def test_a_done_visit_needs_no_reminder():
    leader = make_user(Role.GROUP_LEADER)
    manager = make_user(Role.OPERATIONS_MANAGER)
    group = _group_starting_in(3, leaders=[leader], name="Klargruppen")
    placement = services.group_place_child(group=group, referral=make_referral(), placed_by=manager)
    services.pre_group_visit_record(
        placement=placement,
        recorded_by=leader,
        kind=VisitKind.PREMISES,
        visit_date=timezone.localdate(),
        leader=leader,
        outcome="Bra besök.",
    )
    reminders_sweep_all()
    assert not _reminders("pre_group_visit_missing").exists()


def test_the_visit_sweep_makes_a_fixed_number_of_queries(django_assert_max_num_queries):

    manager = make_user(Role.OPERATIONS_MANAGER)
    for n in range(3):
        group = _group_starting_in(4, leaders=[make_user(Role.GROUP_LEADER)], name=f"Grupp {n}")
        for m in range(2):
            services.group_place_child(group=group, referral=make_referral(first_name=f"B{n}{m}"), placed_by=manager)
    with django_assert_max_num_queries(2):
        assert len(list(pre_group_visit_missing(timezone.localdate()))) == 6


# --- Tomorrow's meeting ------------------------------------------------------------------------------


def test_tomorrows_meeting_reminds_the_leaders_once_and_closes_afterwards():
    leader = make_user(Role.GROUP_LEADER)
    elsewhere = make_user(Role.GROUP_LEADER)
    premises = Premises.objects.create(name="Stora rummet", address="Bris")
    group = make_group(
        leaders=[leader],
        name="Morgondagsgruppen",
        premises=premises,
        earliest=timezone.localdate() + datetime.timedelta(days=1),
        weekday=(timezone.localdate() + datetime.timedelta(days=1)).weekday(),
        start_hour=17,
    )
    _group_starting_in(10, leaders=[elsewhere], name="Senaregruppen")
    first = Meeting.objects.filter(group=group).order_by("starts_at").first()

    assert reminders_sweep_all()["meeting_tomorrow"] == 1
    assert reminders_sweep_all()["meeting_tomorrow"] == 0
    reminder = _reminders("meeting_tomorrow").get()
    assert (reminder.recipient, reminder.subject_id) == (leader, first.pk)
    assert "Morgondagsgruppen" in reminder.summary and "17:00" in reminder.summary
    assert "Stora rummet" in reminder.summary

    reminders_sweep_all(today=timezone.localdate() + datetime.timedelta(days=1))
    reminder.refresh_from_db()
    assert reminder.done_at is not None
    assert _reminders("meeting_tomorrow").count() == 1


# --- Evaluation --------------------------------------------------------------------------------------


def _answer(group, referral, moment, key=None):
    return EvaluationAnswerSet.objects.create(
        instrument=instrument("hur-jag-har-det-barn"),
        moment=moment,
        group=group,
        referral=referral,
        respondent_key=key or uuid.uuid4(),
        group_format=group.format,
        age_band="10-12",
        district_id=referral.district_id if referral else None,
        channel="entered",
        answered_on=timezone.localdate(),
    )


def test_evaluation_after_the_last_meeting_reminds_leaders_until_every_child_has_answers():
    leader = make_user(Role.GROUP_LEADER)
    group = make_closed_group(leader=leader, name="Avslutade gruppen")
    first, second = place_children(group, count=2, first_names=["Ingeborg", "Sixten"])
    still_planned = make_closed_group(leader=make_user(Role.GROUP_LEADER), name="Framtida", status="planned")
    still_planned.ends_on = timezone.localdate() + datetime.timedelta(days=10)
    still_planned.save()
    place_children(still_planned, count=1)

    assert reminders_sweep_all()["evaluation_after_due"] == 1
    assert reminders_sweep_all()["evaluation_after_due"] == 0
    reminder = _reminders("evaluation_after_due").get()
    assert (reminder.recipient, reminder.subject_id) == (leader, group.pk)
    assert "2 barn" in reminder.summary and "Avslutade gruppen" in reminder.summary
    assert "Ingeborg" not in reminder.summary

    _answer(group, first, "after")
    _answer(group, second, "before")
    reminders_sweep_all()
    assert _reminders("evaluation_after_due").get().done_at is None
    _answer(group, second, "after")
    reminders_sweep_all()
    assert _reminders("evaluation_after_due").get().done_at is not None


def test_follow_up_evaluation_is_due_some_months_after_the_last_meeting():
    leader = make_user(Role.GROUP_LEADER)
    group = make_closed_group(leader=leader, name="Uppföljningsgruppen")
    place_children(group, count=2)
    due_on = add_months(group.ends_on, EVALUATION_FOLLOW_UP_MONTHS)

    assert reminders_sweep_all(today=due_on - datetime.timedelta(days=1))["evaluation_follow_up_due"] == 0
    assert reminders_sweep_all(today=due_on)["evaluation_follow_up_due"] == 1
    assert reminders_sweep_all(today=due_on + datetime.timedelta(days=5))["evaluation_follow_up_due"] == 0
    reminder = _reminders("evaluation_follow_up_due").get()
    assert (reminder.recipient, reminder.subject_id, reminder.due_on) == (leader, group.pk, due_on)

    # Counted by anonymous respondent: answers whose link to the child is gone still count.
    _answer(group, None, "follow_up")
    reminders_sweep_all(today=due_on + datetime.timedelta(days=6))
    assert reminder.__class__.objects.get(pk=reminder.pk).done_at is None
    _answer(group, None, "follow_up")
    reminders_sweep_all(today=due_on + datetime.timedelta(days=7))
    assert reminder.__class__.objects.get(pk=reminder.pk).done_at is not None


def test_the_visit_reminder_is_mailed_without_the_childs_name(mailoutbox, django_capture_on_commit_callbacks):

    leader = make_user(Role.GROUP_LEADER)
    manager = make_user(Role.OPERATIONS_MANAGER)
    group = _group_starting_in(2, leaders=[leader], name="Postgruppen")
    child = make_referral(first_name="Ingeborg", last_name="Zetterqvist")
    services.group_place_child(group=group, referral=child, placed_by=manager)

    for _rerun in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            reminders_sweep.delay()
    mails = [mail for mail in mailoutbox if "Besök före gruppstart saknas" in mail.subject]
    assert len(mails) == 1 and mails[0].to == [leader.email]
    text = mails[0].body + mails[0].alternatives[0][0]
    assert "Postgruppen" in text and child.pseudonym in text
    assert "Ingeborg" not in text and "Zetterqvist" not in text and child.child.identity_number not in text


def test_a_group_whose_dates_passed_but_never_started_asks_for_no_evaluation():
    """Not cancelled is not carried out: a group left open past its last date never met."""
    never_started = make_closed_group(leader=make_user(Role.GROUP_LEADER), name="Aldrig startad", status="open")
    place_children(never_started, count=2)
    assert reminders_sweep_all()["evaluation_after_due"] == 0
