import datetime

import pytest
from django.utils import timezone

from followup.models import CooperationMeeting, InformationMeeting
from followup.reminders import cooperation_term_without_meeting, information_meetings_behind
from partnership.models import Reminder, Role
from partnership.reminders import reminder_kinds, reminders_sweep_all
from tests.factories import make_agreement, make_user

pytestmark = pytest.mark.django_db

TERM_START = datetime.date(2026, 1, 1)


def test_the_followup_kinds_are_registered():
    assert {"cooperation_term_without_meeting", "information_meetings_behind"} <= set(reminder_kinds())


@pytest.fixture
def agreement():
    return make_agreement(starts_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2027, 12, 31))


def test_a_term_without_cooperation_meeting_reminds_the_coordinators_once_per_term(agreement):
    coordinator, colleague = make_user(Role.COORDINATOR), make_user(Role.COORDINATOR)
    manager = make_user(Role.OPERATIONS_MANAGER)
    make_agreement(starts_on=datetime.date(2019, 1, 1), ends_on=datetime.date(2020, 12, 31))  # ended
    reminders = Reminder.objects.filter(kind="cooperation_term_without_meeting")
    march = datetime.date(2026, 3, 10)

    assert reminders_sweep_all(today=march)["cooperation_term_without_meeting"] == 2
    assert reminders_sweep_all(today=march)["cooperation_term_without_meeting"] == 0
    assert set(reminders.values_list("recipient", flat=True)) == {coordinator.pk, colleague.pk}
    assert {(r.subject_id, r.period, r.due_on) for r in reminders} == {
        (agreement.pk, "2026-spring", datetime.date(2026, 6, 30))
    }
    assert "vårterminen 2026" in reminders.first().summary
    assert not Reminder.objects.filter(recipient=manager).exists()

    # A planned meeting closes it; in the autumn the next term is reminded about anew.
    CooperationMeeting.objects.create(
        agreement=agreement, meeting_date=datetime.date(2026, 5, 5), created_by=coordinator
    )
    reminders_sweep_all(today=march)
    assert not reminders.filter(done_at__isnull=True).exists()
    assert reminders_sweep_all(today=datetime.date(2026, 9, 1))["cooperation_term_without_meeting"] == 2
    assert set(reminders.filter(done_at__isnull=True).values_list("period", flat=True)) == {"2026-autumn"}


def test_a_meeting_held_this_term_means_no_cooperation_reminder(agreement):
    coordinator = make_user(Role.COORDINATOR)
    CooperationMeeting.objects.create(
        agreement=agreement, meeting_date=datetime.date(2026, 2, 2), created_by=coordinator, held_at=timezone.now()
    )
    assert reminders_sweep_all(today=datetime.date(2026, 4, 1))["cooperation_term_without_meeting"] == 0
    # A meeting planned in the past but never held does not count.
    CooperationMeeting.objects.all().update(held_at=None)
    assert reminders_sweep_all(today=datetime.date(2026, 4, 1))["cooperation_term_without_meeting"] == 1


def _breakfast(agreement, coordinator, day, *, held):
    return InformationMeeting.objects.create(
        agreement=agreement,
        starts_at=datetime.datetime.combine(day, datetime.time(8), tzinfo=timezone.get_current_timezone()),
        location="Bris",
        created_by=coordinator,
        held_at=timezone.now() if held else None,
    )


def test_breakfast_meetings_behind_remind_the_coordinators_until_caught_up(agreement):
    coordinator = make_user(Role.COORDINATOR)
    make_user(Role.GROUP_LEADER)
    reminders = Reminder.objects.filter(kind="information_meetings_behind")
    june = datetime.date(2026, 6, 1)  # one should be held by the end of April
    _breakfast(agreement, coordinator, datetime.date(2026, 9, 10), held=False)
    _breakfast(agreement, coordinator, datetime.date(2026, 11, 10), held=False)

    assert reminders_sweep_all(today=june)["information_meetings_behind"] == 1
    assert reminders_sweep_all(today=june)["information_meetings_behind"] == 0
    reminder = reminders.get()
    assert (reminder.recipient, reminder.subject_id, reminder.period) == (coordinator, agreement.pk, "2026")
    assert "0 hållna och 2 planerade" in reminder.summary

    _breakfast(agreement, coordinator, datetime.date(2026, 3, 10), held=True)
    reminders_sweep_all(today=june)
    reminder.refresh_from_db()
    assert reminder.done_at is not None


def test_breakfast_meetings_on_track_need_no_reminder(agreement):
    coordinator = make_user(Role.COORDINATOR)
    _breakfast(agreement, coordinator, datetime.date(2026, 3, 10), held=True)
    _breakfast(agreement, coordinator, datetime.date(2026, 8, 10), held=False)
    _breakfast(agreement, coordinator, datetime.date(2026, 11, 10), held=False)
    assert reminders_sweep_all(today=datetime.date(2026, 6, 1))["information_meetings_behind"] == 0


def test_the_agreement_sweeps_make_a_fixed_number_of_queries(agreement, django_assert_max_num_queries):

    make_user(Role.COORDINATOR)
    for _n in range(3):
        make_agreement(starts_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2027, 12, 31))
    with django_assert_max_num_queries(3):
        assert len(list(cooperation_term_without_meeting(datetime.date(2026, 3, 1)))) == 4
    with django_assert_max_num_queries(3):
        assert len(list(information_meetings_behind(datetime.date(2026, 3, 1)))) == 4
