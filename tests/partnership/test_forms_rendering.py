"""The form renderer writes select boxes in Python (partnership/forms_rendering.py): the same HTML
as Django's templates, character for character, for every kind of select the app renders."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext_lazy

from citywide.forms import DemandFilterForm
from consent.forms import AccessLogFilterForm
from partnership.forms_rendering import FormRenderer
from referrals.forms import ReferralFilterForm
from referrals.selectors import referral_filter_districts
from tests.factories import make_user

pytestmark = pytest.mark.django_db


class Everything(forms.Form):
    plain = forms.ChoiceField(choices=[("a", "A"), ("b", "B & <b>")], required=False)
    grouped = forms.ChoiceField(
        choices=[("", "---"), ("Stockholm", [("1", "Farsta"), ("2", "Älvsjö")]), ("Göteborg", [("3", "Angered")])]
    )
    lazy = forms.ChoiceField(choices=[("x", gettext_lazy("Vårtermin")), (5, 5)], initial=5)
    many = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B"), ("c", "C")], initial=["a", "c"])
    yes_no = forms.NullBooleanField(widget=forms.NullBooleanSelect(attrs={"class": "form-select", "data-x": '"q"'}))
    flags = forms.ChoiceField(
        choices=[("a", "A")], widget=forms.Select(attrs={"disabled": True, "hidden": False, "aria-label": "Välj"})
    )


def _both_ways(form_class, **kwargs) -> tuple[str, str]:
    fast = form_class(renderer=FormRenderer(), **kwargs)
    templates = form_class(renderer=DjangoTemplates(), **kwargs)
    return str(fast), str(templates)


@pytest.mark.parametrize("data", [None, {"plain": "b", "grouped": "2", "lazy": "x", "many": ["b"], "yes_no": "true"}])
def test_every_kind_of_select_is_written_as_the_templates_write_it(data):
    fast, templates = _both_ways(Everything, data=data)
    assert fast == templates
    assert "<optgroup" in fast and "B &amp; &lt;b&gt;" in fast


def test_the_list_pages_filter_forms_are_written_as_the_templates_write_them(social_worker):
    districts = referral_filter_districts(social_worker)
    for form_class, kwargs in (
        (ReferralFilterForm, {"districts": districts, "data": {"status": "completed"}}),
        (DemandFilterForm, {"data": None}),
        (AccessLogFilterForm, {"data": {"action": "view"}}),
    ):
        fast, templates = _both_ways(form_class, **kwargs)
        assert fast == templates, form_class.__name__
        assert "<select" in fast


def test_the_app_renders_forms_with_it(settings):
    assert settings.FORM_RENDERER == "partnership.forms_rendering.FormRenderer"
    assert make_user  # the factories load the reference data the forms read
