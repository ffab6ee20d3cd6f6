"""Meeting schedules (IOP 3.1.2): pure date arithmetic, no database.

- A weekly group (veckovis stödgrupp) meets 8 times for 2 hours, once a week, never on a Swedish
  public holiday: a week whose meeting day is a holiday is skipped and the series goes on a week
  later, so the group still gets all 8 meetings.
- A support weekend (stödhelg) is at least three full days, each a Saturday or a Sunday, the last a
  follow-up Saturday some weeks after the others. Bris runs it as Saturday + Sunday, then the
  follow-up Saturday.
"""

import datetime
import math
from dataclasses import dataclass
from functools import cache
from typing import TypeVar
from zoneinfo import ZoneInfo

import holidays
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _

WEEKLY_MEETINGS = 8
WEEKLY_MEETING_LENGTH = datetime.timedelta(hours=2)
WEEKEND_MIN_DAYS = 3
WEEKEND_DAY_START = datetime.time(10, 0)
WEEKEND_DAY_END = datetime.time(16, 0)
# "Some weeks later": the follow-up Saturday comes at least two weeks after the weekend.
FOLLOW_UP_MIN_GAP = datetime.timedelta(days=14)
DEFAULT_FOLLOW_UP_WEEKS = 4
SATURDAY, SUNDAY = 5, 6
STOCKHOLM = ZoneInfo("Europe/Stockholm")
# No meeting is longer: every slot lies within one day (a weekly meeting, a weekend's day), and a
# move keeps the meeting's length. A search for meetings that end after a moment can then start
# the index on their start a day earlier, instead of at the first meeting ever held.
LONGEST_MEETING = datetime.timedelta(days=1)


@cache
def _swedish_holidays(year: int) -> dict[datetime.date, str]:
    # Public holidays (helgdagar) plus the de facto ones nobody works on: midsommarafton,
    # julafton, nyårsafton. Sundays are not counted here: a weekend may meet on a Sunday.
    calendar = holidays.Sweden(years=year, categories=("public", "de_facto"), language="sv", include_sundays=False)
    return dict(calendar.items())


def holiday_name(day: datetime.date) -> str | None:
    """The Swedish name of the holiday on that day, or None for an ordinary day."""
    return _swedish_holidays(day.year).get(day)


def _format_day(day: datetime.date) -> str:
    return date_format(day, "l j F Y")


@dataclass(frozen=True)
class Slot:
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    is_follow_up: bool = False


def _aware(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, time, tzinfo=STOCKHOLM)


def weekly_schedule(*, earliest: datetime.date, weekday: int, start_time: datetime.time) -> list[Slot]:
    """Eight 2-hour meetings on `weekday` (0 = Monday), the first on or after `earliest`."""
    day = earliest + datetime.timedelta(days=(weekday - earliest.weekday()) % 7)
    slots: list[Slot] = []
    while len(slots) < WEEKLY_MEETINGS:
        if holiday_name(day) is None:
            start = _aware(day, start_time)
            slots.append(Slot(start, start + WEEKLY_MEETING_LENGTH))
        day += datetime.timedelta(weeks=1)
    return slots


def weekend_schedule(*, first_saturday: datetime.date, follow_up_weeks: int = DEFAULT_FOLLOW_UP_WEEKS) -> list[Slot]:
    """Saturday + Sunday, then the follow-up Saturday `follow_up_weeks` later; a weekend or a
    follow-up Saturday that falls on a holiday moves on a week."""
    if first_saturday.weekday() != SATURDAY:
        raise ValidationError(
            {"first_date": _("%(day)s är ingen lördag.") % {"day": _format_day(first_saturday)}}, code="not_saturday"
        )
    saturday = first_saturday
    while holiday_name(saturday) or holiday_name(saturday + datetime.timedelta(days=1)):
        saturday += datetime.timedelta(weeks=1)
    follow_up = saturday + datetime.timedelta(weeks=follow_up_weeks)
    while holiday_name(follow_up):
        follow_up += datetime.timedelta(weeks=1)
    days = [saturday, saturday + datetime.timedelta(days=1), follow_up]
    return [
        Slot(_aware(day, WEEKEND_DAY_START), _aware(day, WEEKEND_DAY_END), is_follow_up=(day == follow_up))
        for day in days
    ]


def validate_weekly(slots: list[Slot]) -> None:
    """A weekly group: 8 meetings, none on a holiday."""
    if len(slots) != WEEKLY_MEETINGS:
        raise ValidationError(
            _("En veckovis stödgrupp har %(n)s träffar.") % {"n": WEEKLY_MEETINGS}, code="meeting_count"
        )
    for slot in slots:
        _refuse_holiday(slot.starts_at)


def validate_weekend(slots: list[Slot]) -> None:
    """A support weekend: ≥3 full days, Saturdays and Sundays only, the last a later Saturday."""
    days = sorted(slot.starts_at.astimezone(STOCKHOLM).date() for slot in slots)
    for day in days:
        if day.weekday() not in (SATURDAY, SUNDAY):
            raise ValidationError(
                {
                    "starts_at": _("%(day)s är ingen lördag eller söndag; en stödhelg hålls bara på helger.")
                    % {"day": _format_day(day)}
                },
                code="weekend_weekday",
            )
    if len(set(days)) != len(days):
        raise ValidationError({"starts_at": _("Två dagar i stödhelgen har samma datum.")}, code="weekend_duplicate")
    if len(days) < WEEKEND_MIN_DAYS:
        raise ValidationError(
            _("En stödhelg har minst %(n)s hela dagar.") % {"n": WEEKEND_MIN_DAYS}, code="weekend_too_short"
        )
    follow_up = days[-1]
    if follow_up.weekday() != SATURDAY:
        raise ValidationError(
            {"starts_at": _("Sista dagen i en stödhelg ska vara en uppföljningslördag.")}, code="weekend_follow_up"
        )
    if follow_up - days[-2] < FOLLOW_UP_MIN_GAP:
        raise ValidationError(
            {"starts_at": _("Uppföljningslördagen ska ligga minst två veckor efter stödhelgen.")},
            code="weekend_follow_up_gap",
        )
    for slot in slots:
        _refuse_holiday(slot.starts_at)


def _refuse_holiday(starts_at: datetime.datetime) -> None:
    day = starts_at.astimezone(STOCKHOLM).date()
    name = holiday_name(day)
    if name:
        raise ValidationError(
            {
                "starts_at": _("%(day)s är en helgdag (%(name)s); välj en annan dag.")
                % {"day": _format_day(day), "name": name}
            },
            code="holiday",
        )


K = TypeVar("K")


def split_by_age(ages: list[tuple[K, int]], *, min_size: int, max_size: int) -> list[list[tuple[K, int]]]:
    """Split children (key, age) into the fewest subgroups of min_size–max_size, youngest first,
    sizes as even as possible so that each subgroup spans as few ages as it can."""
    count = len(ages)
    groups = max(1, math.ceil(count / max_size))
    if count < min_size * groups:
        raise ValidationError(
            _("%(count)s barn går inte att dela i grupper om %(low)s–%(high)s barn.")
            % {"count": count, "low": min_size, "high": max_size},
            code="split_impossible",
        )
    ordered = sorted(ages, key=lambda item: item[1])
    base, extra = divmod(count, groups)
    result, start = [], 0
    for index in range(groups):
        size = base + (1 if index < extra else 0)
        result.append(ordered[start : start + size])
        start += size
    return result
