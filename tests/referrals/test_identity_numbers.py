import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from referrals.identity_numbers import age_on, parse_identity_number
from tests.factories import identity_number_for, luhn_check_digit

TODAY = datetime.date(2026, 11, 25)


def codes(raw: str, today=TODAY) -> str:
    with pytest.raises(ValidationError) as caught:
        parse_identity_number(raw, today=today)
    return caught.value.code


@pytest.mark.parametrize(
    "raw",
    ["20150314-1234", "201503141234", "150314-1234", "1503141234", " 20150314 - 1234 "],
)
def test_the_usual_ways_of_writing_a_personnummer_are_one_canonical_number(raw):
    parsed = parse_identity_number(raw, today=TODAY)
    assert parsed.canonical == "20150314-1234"
    assert parsed.birth_date == datetime.date(2015, 3, 14)
    assert not parsed.is_coordination_number


def test_a_plus_sign_means_the_person_is_a_hundred_or_older():
    assert parse_identity_number("150314+1234", today=TODAY).birth_date == datetime.date(1915, 3, 14)


def test_a_samordningsnummer_is_accepted_and_recognised():
    raw = identity_number_for(datetime.date(2014, 6, 2), serial=123, coordination=True)
    parsed = parse_identity_number(raw, today=TODAY)
    assert parsed.is_coordination_number
    assert parsed.birth_date == datetime.date(2014, 6, 2)


def test_a_wrong_check_digit_is_refused():
    assert codes("20150314-1238") == "invalid"


def test_an_impossible_date_is_refused():
    # 2015-02-30 does not exist; the check digit is made right so only the date is wrong.
    short = "150230123"
    assert codes(f"20150230-123{luhn_check_digit(short)}") in {"invalid", "format"}


@pytest.mark.parametrize("raw", ["", "abc", "2015-03-14", "20150314-12", "20150314-123456"])
def test_text_that_is_not_a_number_is_refused_with_the_expected_format(raw):
    assert codes(raw) == "format"


def test_a_birth_date_in_the_future_is_refused():
    future = identity_number_for(TODAY + datetime.timedelta(days=1), serial=123)
    assert codes(future) == "future"


def test_the_messages_are_swedish_and_never_repeat_the_number():
    with pytest.raises(ValidationError) as caught:
        parse_identity_number("20150314-1238", today=TODAY)
    message = caught.value.messages[0]
    assert "kontrollsiffran" in message
    assert "1238" not in message


def test_the_duplicate_hash_is_the_same_however_the_number_is_written_and_differs_between_children():
    assert parse_identity_number("150314-1234").hash == parse_identity_number("20150314-1234").hash
    other = identity_number_for(datetime.date(2015, 3, 14), serial=125)
    assert parse_identity_number(other).hash != parse_identity_number("20150314-1234").hash
    assert "1234" not in parse_identity_number("20150314-1234").hash


@given(
    birth_date=st.dates(min_value=datetime.date(1930, 1, 1), max_value=TODAY),
    serial=st.integers(min_value=1, max_value=999),
)
def test_every_valid_number_round_trips_and_any_other_check_digit_is_refused(birth_date, serial):
    raw = identity_number_for(birth_date, serial=serial)
    parsed = parse_identity_number(raw, today=TODAY)
    assert parsed.canonical == raw
    assert parsed.birth_date == birth_date
    wrong = raw[:-1] + str((int(raw[-1]) + 1) % 10)
    with pytest.raises(ValidationError):
        parse_identity_number(wrong, today=TODAY)


@pytest.mark.parametrize(
    ("birth_date", "day", "age"),
    [
        (datetime.date(2015, 3, 14), datetime.date(2022, 3, 13), 6),
        (datetime.date(2015, 3, 14), datetime.date(2022, 3, 14), 7),
        (datetime.date(2008, 2, 29), datetime.date(2026, 2, 28), 17),
        (datetime.date(2008, 2, 29), datetime.date(2026, 3, 1), 18),
    ],
)
def test_age_counts_whole_years_including_leap_day_birthdays(birth_date, day, age):
    assert age_on(birth_date, day) == age
