"""Text cleaning in one place (partnership/text.py, partnership/forms.CleanTextForm)."""

import datetime

import pytest
from django import forms

from followup.information import _parse
from partnership.forms import CleanTextForm
from tests.factories import district


class NameForm(CleanTextForm):
    name = forms.CharField()
    note = forms.CharField(widget=forms.Textarea, required=False)
    day = forms.DateField(required=False)
    count = forms.IntegerField(required=False)


def test_bidi_overrides_and_isolates_are_removed_from_names():
    form = NameForm({"name": "\u202eAlva\u202c \u2066Bo\u2069"})
    assert form.is_valid()
    assert form.cleaned_data["name"] == "Alva Bo"


@pytest.mark.parametrize("value", ["Al\x00va", "Bo\x07", "Cleo\x1b[31m", "Dani\x7f"])
def test_control_characters_are_refused_with_a_swedish_message(value):
    form = NameForm({"name": value})
    assert not form.is_valid()
    assert (
        "Texten innehåller osynliga styrtecken som inte kan sparas. Skriv om texten och försök igen."
        in (form.errors["name"])
    )


def test_line_breaks_and_tabs_are_kept():
    form = NameForm({"name": "Alva", "note": "Rad ett\r\nRad\ttvå"})
    assert form.is_valid()
    assert form.cleaned_data["note"] == "Rad ett\r\nRad\ttvå"


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_dates_outside_the_apps_life_are_refused(day):
    form = NameForm({"name": "Alva", "day": day})
    assert not form.is_valid()
    assert form.errors["day"] == ["Ange ett datum mellan 1900-01-01 och 2199-12-31."]
    assert NameForm({"name": "Alva", "day": datetime.date(2017, 2, 28).isoformat()}).is_valid()


def test_whole_numbers_must_fit_the_database():
    assert not NameForm({"name": "Alva", "count": "9" * 40}).is_valid()


@pytest.mark.django_db
def test_an_imported_contact_with_control_characters_is_refused_and_bidi_is_removed():
    district("Farsta")
    rows = [
        ["stadsdel", "namn", "funktion", "e-post", "telefon"],
        ["Farsta", "An\x00na", "Chef", "anna@example.se", ""],
        ["Farsta", "\u202eBo", "Chef", "bo@example.se", ""],
    ]
    anna, bo = _parse(rows)
    assert anna["name"] == "Anna" and anna["errors"]
    assert bo["name"] == "Bo" and bo["errors"] == []
