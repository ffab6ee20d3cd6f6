"""Shape and normalisation only; the rules (sizes, ages, the consent gate) are in services."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups.forms import DateInput, GroupForm
from groups.models import Method
from partnership.forms import CleanTextForm
from partnership.models import TargetGroup
from partnership.uploads import validate_document

from .models import ChildRelation


class SuggestForm(CleanTextForm):
    agreement = forms.TypedChoiceField(label=_("Målgrupp"), coerce=int)
    planned_start = forms.DateField(
        label=_("Planerad start"), widget=DateInput(), help_text=_("Barnens ålder räknas på detta datum.")
    )
    max_groups = forms.IntegerField(label=_("Högst antal grupper"), min_value=1, max_value=10, initial=2)
    max_age_spread = forms.IntegerField(
        label=_("Största åldersskillnad i en grupp (år)"), min_value=0, max_value=11, initial=3
    )

    def __init__(self, *args, agreements, **kwargs):
        super().__init__(*args, **kwargs)
        self.agreements = {agreement.pk: agreement for agreement in agreements}
        self.fields["agreement"].choices = [(a.pk, a.target_group.name) for a in agreements]
        self.fields["planned_start"].initial = timezone.localdate() + datetime.timedelta(days=28)

    def clean_agreement(self):
        return self.agreements[self.cleaned_data["agreement"]]


class ChildChoiceField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class AcceptForm(GroupForm):
    """The group form without the age band (the children's ages give it), and the children:
    the suggestion's ticked, the rest of the waiting list to add."""

    children = ChildChoiceField(label=_("Barn som placeras"))

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["min_age"], self.fields["max_age"]
        self.fields["children"].choices = children
        self.order_fields(["children", "name"])


class ChildRelationForm(CleanTextForm):
    first = forms.TypedChoiceField(label=_("Barn"), coerce=int)
    second = forms.TypedChoiceField(label=_("och barn"), coerce=int)
    kind = forms.ChoiceField(label=_("Vad gäller"), choices=ChildRelation.Kind.choices, widget=forms.RadioSelect)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        # The district's children read once for both boxes (a model choice field reads them
        # again for each box, and again to check the answer).
        self.candidates = {referral.pk: referral for referral in candidates}
        choices = [("", "---------"), *((pk, _child_label(referral)) for pk, referral in self.candidates.items())]
        for name in ("first", "second"):
            self.fields[name].choices = choices

    def clean_first(self):
        return self.candidates[self.cleaned_data["first"]]

    def clean_second(self):
        return self.candidates[self.cleaned_data["second"]]

    def clean(self):
        data = super().clean()
        if data.get("first") and data.get("first") == data.get("second"):
            self.add_error("second", _("Välj två olika barn."))
        return data


def _child_label(referral) -> str:
    child = getattr(referral, "child", None)
    return f"{child.full_name} ({referral.pseudonym})" if child else referral.pseudonym


class MethodForm(CleanTextForm):
    name = forms.CharField(label=_("Namn"), max_length=200)
    target_group = forms.ModelChoiceField(label=_("Målgrupp"), queryset=TargetGroup.objects.order_by("name"))
    min_age = forms.IntegerField(label=_("Lägsta ålder"), min_value=0, max_value=25)
    max_age = forms.IntegerField(label=_("Högsta ålder"), min_value=0, max_value=25)
    format = forms.CharField(
        label=_("Upplägg"), max_length=200, help_text=_("Till exempel: 10 träffar om 1,5 timmar, en i veckan.")
    )
    origin = forms.CharField(label=_("Ursprung"), max_length=200, required=False)
    description = forms.CharField(label=_("Beskrivning"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ManualForm(CleanTextForm):
    version = forms.CharField(label=_("Version"), max_length=20)
    published_on = forms.DateField(label=_("Utgiven"), widget=DateInput())
    document = forms.FileField(
        label=_("Manual (PDF)"), validators=[validate_document], help_text=_("PDF, högst 10 MB.")
    )
    changes = forms.CharField(label=_("Nytt i versionen"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class GroupMethodForm(CleanTextForm):
    method = forms.ModelChoiceField(label=_("Metod"), queryset=Method.objects.none(), required=False)

    def __init__(self, *args, methods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].queryset = methods
