import pytest
from hypothesis import given
from hypothesis import strategies as st

from partnership.money import format_ore

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("ore", "text"),
    [
        (71_183_300, f"711{NBSP}833,00{NBSP}kr"),
        (17_795_825, f"177{NBSP}958,25{NBSP}kr"),
        (123_450, f"1{NBSP}234,50{NBSP}kr"),
        (5, f"0,05{NBSP}kr"),
        (0, f"0,00{NBSP}kr"),
        (-500_000, f"−5{NBSP}000,00{NBSP}kr"),
    ],
)
def test_amounts_are_shown_in_swedish_format(ore, text):
    assert format_ore(ore) == text


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_formatting_round_trips_to_the_same_ore(ore):
    text = format_ore(ore, currency=False).replace(NBSP, "").replace("−", "-").replace(",", "")
    assert int(text) == ore
