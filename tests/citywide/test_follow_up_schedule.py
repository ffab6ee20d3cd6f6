import datetime
import uuid

import pytest
from django.utils import timezone

from citywide.reminders import follow_up_schedule_due
from coordination.models import Participant
from followup.models import EvaluationAnswerSet, EvaluationInstrument
from followup.reminders import add_months
from partnership.models import Reminder, Role
from partnership.reminders import reminders_sweep_all
from tests.citywide.factories import group, place, referrals
from tests.coordination.factories import make_provider_user
from tests.factories import make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _ended(months: int, *, target_code="foster_care"):
    """A group whose last meeting was `months` months ago, five days past the point."""
    ends_on = add_months(TODAY, -months) - datetime.timedelta(days=5)
    held = group(target_code=target_code, starts_on=ends_on - datetime.timedelta(weeks=8), status="closed")
    leader = (
        make_user(Role.GROUP_LEADER)
        if target_code == "foster_care"
        else make_provider_user(Role.GROUP_LEADER, held.agreement.provider)
    )
    held.leaders.add(leader)
    return held, leader


def _taken_in(held, count):
    for index in range(count):
        Participant.objects.create(
            group=held,
            child_age=10,
            consent_on=TODAY,
            consent_how="written",
            recorded_by=make_user(None),
            child_first_name=f"Barn{index}",
        )


def test_the_citys_schedule_reminds_the_leaders_at_twelve_months():
    held, leader = _ended(12)
    place(held, referrals(5, created=held.starts_on - datetime.timedelta(days=60)), on=held.starts_on)
    due = list(follow_up_schedule_due(TODAY))
    assert [(d.recipient_id, d.subject, d.period) for d in due] == [(leader.pk, held, "12m")]
    assert "12 månader" in due[0].summary
    # Through the reminder machinery: recorded once, whatever the number of sweeps.
    reminders_sweep_all(today=TODAY)
    reminders_sweep_all(today=TODAY)
    assert Reminder.objects.filter(kind="follow_up_schedule_due", recipient=leader).count() == 1


def test_three_months_is_left_to_the_iops_own_reminder_but_covers_a_providers_children():
    iop_group, _ = _ended(3)
    place(iop_group, referrals(5, created=iop_group.starts_on - datetime.timedelta(days=60)), on=iop_group.starts_on)
    provider_group, leader = _ended(3, target_code="parental_mental_illness")
    _taken_in(provider_group, 5)
    due = list(follow_up_schedule_due(TODAY))
    assert [(d.recipient_id, d.subject, d.period) for d in due] == [(leader.pk, provider_group, "3m")]


def test_the_reminder_closes_once_every_child_has_answered():
    held, leader = _ended(12, target_code="parental_mental_illness")
    _taken_in(held, 2)
    reminders_sweep_all(today=TODAY)
    assert Reminder.objects.get(kind="follow_up_schedule_due", recipient=leader).done_at is None
    due_on = add_months(held.ends_on, 12)
    instrument = next(i for i in EvaluationInstrument.objects.all() if "follow_up" in i.moments)
    for _ in range(2):
        EvaluationAnswerSet.objects.create(
            instrument=instrument,
            moment="follow_up",
            group=held,
            respondent_key=uuid.uuid4(),
            group_format="weekly",
            age_band="10-12",
            channel="entered",
            answered_on=due_on,
        )
    assert list(follow_up_schedule_due(TODAY)) == []
    reminders_sweep_all(today=TODAY)
    assert Reminder.objects.get(kind="follow_up_schedule_due", recipient=leader).done_at is not None
