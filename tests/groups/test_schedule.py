import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError

from groups import schedule


def _days(slots):
    return [slot.starts_at.date() for slot in slots]


def test_weekly_group_gets_eight_two_hour_meetings_and_skips_easter_monday():
    slots = schedule.weekly_schedule(earliest=datetime.date(2027, 3, 15), weekday=0, start_time=datetime.time(16))
    assert len(slots) == 8
    assert all(slot.ends_at - slot.starts_at == datetime.timedelta(hours=2) for slot in slots)
    assert datetime.date(2027, 3, 29) not in _days(slots)  # annandag påsk
    assert _days(slots)[:3] == [datetime.date(2027, 3, 15), datetime.date(2027, 3, 22), datetime.date(2027, 4, 5)]
    assert _days(slots)[-1] == datetime.date(2027, 5, 10)


def test_weekly_group_on_fridays_skips_good_friday_and_midsummer_eve():
    slots = schedule.weekly_schedule(earliest=datetime.date(2027, 3, 19), weekday=4, start_time=datetime.time(15))
    days = _days(slots)
    assert datetime.date(2027, 3, 26) not in days  # långfredagen
    slots = schedule.weekly_schedule(earliest=datetime.date(2027, 6, 1), weekday=4, start_time=datetime.time(15))
    days = _days(slots)
    assert datetime.date(2027, 6, 25) not in days  # midsommarafton
    assert days[0] == datetime.date(2027, 6, 4)
    assert len(days) == 8 and all(day.weekday() == 4 for day in days)


def test_weekly_schedule_starts_on_the_chosen_weekday_after_the_earliest_date():
    slots = schedule.weekly_schedule(earliest=datetime.date(2027, 9, 1), weekday=1, start_time=datetime.time(17, 30))
    assert slots[0].starts_at.date() == datetime.date(2027, 9, 7)
    assert slots[0].starts_at.hour == 17 and slots[0].starts_at.minute == 30


def test_a_weekly_meeting_on_a_holiday_is_refused_with_its_name():
    slots = schedule.weekly_schedule(earliest=datetime.date(2027, 3, 15), weekday=0, start_time=datetime.time(16))
    holiday = datetime.datetime(2027, 3, 29, 16, tzinfo=schedule.STOCKHOLM)
    slots[2] = schedule.Slot(holiday, holiday + datetime.timedelta(hours=2))
    with pytest.raises(ValidationError) as error:
        schedule.validate_weekly(slots)
    assert "Annandag påsk" in str(error.value)


def test_weekend_proposal_is_saturday_sunday_and_a_follow_up_saturday_weeks_later():
    slots = schedule.weekend_schedule(first_saturday=datetime.date(2027, 9, 11))
    assert _days(slots) == [datetime.date(2027, 9, 11), datetime.date(2027, 9, 12), datetime.date(2027, 10, 9)]
    assert [slot.is_follow_up for slot in slots] == [False, False, True]
    schedule.validate_weekend(slots)


def test_weekend_proposal_moves_past_midsummer_day():
    slots = schedule.weekend_schedule(first_saturday=datetime.date(2027, 6, 26))  # midsommardagen
    assert _days(slots)[0] == datetime.date(2027, 7, 3)


def test_weekend_proposal_refuses_a_first_day_that_is_no_saturday():
    with pytest.raises(ValidationError):
        schedule.weekend_schedule(first_saturday=datetime.date(2027, 9, 10))


def _slot(day):
    start = datetime.datetime.combine(day, datetime.time(10), tzinfo=schedule.STOCKHOLM)
    return schedule.Slot(start, start + datetime.timedelta(hours=6))


def test_a_weekend_with_a_friday_is_refused():
    slots = [_slot(datetime.date(2027, 9, 10)), _slot(datetime.date(2027, 9, 11)), _slot(datetime.date(2027, 10, 9))]
    with pytest.raises(ValidationError) as error:
        schedule.validate_weekend(slots)
    assert "ingen lördag eller söndag" in str(error.value)


def test_a_weekend_needs_three_days_and_a_follow_up_saturday_some_weeks_later():
    with pytest.raises(ValidationError):
        schedule.validate_weekend([_slot(datetime.date(2027, 9, 11)), _slot(datetime.date(2027, 9, 12))])
    with pytest.raises(ValidationError):  # follow-up on a Sunday
        schedule.validate_weekend(
            [_slot(datetime.date(2027, 9, 11)), _slot(datetime.date(2027, 9, 12)), _slot(datetime.date(2027, 10, 10))]
        )
    with pytest.raises(ValidationError):  # follow-up the next weekend
        schedule.validate_weekend(
            [_slot(datetime.date(2027, 9, 11)), _slot(datetime.date(2027, 9, 12)), _slot(datetime.date(2027, 9, 18))]
        )


@pytest.mark.parametrize(
    ("count", "sizes"),
    [(5, [5]), (8, [8]), (10, [5, 5]), (13, [7, 6]), (16, [8, 8]), (17, [6, 6, 5])],
)
def test_split_by_age_makes_the_fewest_subgroups_of_five_to_eight(count, sizes):
    children = [(f"barn{n}", 7 + n % 11) for n in range(count)]
    parts = schedule.split_by_age(children, min_size=5, max_size=8)
    assert [len(part) for part in parts] == sizes
    # Youngest first, and no subgroup's ages overlap the next one's beyond a shared boundary age.
    for younger, older in itertools.pairwise(parts):
        assert max(age for _, age in younger) <= min(age for _, age in older)


@pytest.mark.parametrize("count", [4, 9])
def test_split_by_age_refuses_counts_that_cannot_make_groups_of_five_to_eight(count):
    with pytest.raises(ValidationError):
        schedule.split_by_age([(n, 10) for n in range(count)], min_size=5, max_size=8)


def test_no_meeting_is_longer_than_the_searches_for_meetings_under_way_assume():
    # The home page's next meetings and the clash check bound their index scans by it.
    slots = schedule.weekly_schedule(
        earliest=datetime.date(2027, 9, 6), weekday=3, start_time=datetime.time(23, 30)
    ) + schedule.weekend_schedule(first_saturday=datetime.date(2027, 9, 11))
    assert all(slot.ends_at - slot.starts_at <= schedule.LONGEST_MEETING for slot in slots)
