import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from finance.money import parse_amount_ore, split_evenly
from partnership.money import format_ore


def test_the_agreements_yearly_sum_splits_into_four_equal_quarters():
    assert split_evenly(711_833_00, 4) == [177_958_25] * 4
    assert format_ore(split_evenly(711_833_00, 4)[0]) == "177\u00a0958,25\u00a0kr"


def test_leftover_ore_go_to_the_first_quarters():
    assert split_evenly(100_03, 4) == [25_01, 25_01, 25_01, 25_00]


@given(total=st.integers(min_value=0, max_value=10**13), parts=st.integers(min_value=1, max_value=12))
def test_split_sums_exactly_and_parts_differ_by_at_most_one_ore(total, parts):
    amounts = split_evenly(total, parts)
    assert len(amounts) == parts
    assert sum(amounts) == total
    assert max(amounts) - min(amounts) <= 1
    assert all(isinstance(amount, int) for amount in amounts)


@given(total=st.integers(min_value=0, max_value=10**13))
def test_quarterly_split_of_any_yearly_amount(total):
    quarters = split_evenly(total, 4)
    assert sum(quarters) == total and max(quarters) - min(quarters) <= 1


@pytest.mark.parametrize(
    ("text", "ore"),
    [
        ("1 234,50", 123_450),
        ("1234.50", 123_450),
        ("1234", 123_400),
        ("1\u00a0234,5", 123_450),
        ("711 833", 71_183_300),
        ("0,01", 1),
        ("177 958,25 kr", 17_795_825),
    ],
)
def test_swedish_and_plain_amounts_are_read_exactly(text, ore):
    assert parse_amount_ore(text) == ore


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("-100", "negative"),
        ("−100,00", "negative"),
        ("tio kronor", "invalid"),
        ("", "invalid"),
        ("12,345", "too_many_decimals"),
        ("1.234,50", "invalid"),
        ("1 23,00", "invalid"),
        ("1e3", "invalid"),
    ],
)
def test_bad_amounts_are_refused_with_a_reason(text, code):
    with pytest.raises(ValidationError) as error:
        parse_amount_ore(text)
    assert error.value.code == code


@given(ore=st.integers(min_value=0, max_value=10**12))
def test_what_is_displayed_reads_back_to_the_same_amount(ore):
    assert parse_amount_ore(format_ore(ore)) == ore
