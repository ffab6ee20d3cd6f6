from django import forms
from django.utils.translation import gettext_lazy as _

from referrals.forms import DateInput

from .models import AccessLogEntry


class AccessLogFilterForm(forms.Form):
    username = forms.CharField(label=_("Användare"), required=False)
    child = forms.CharField(label=_("Barnets pseudonym"), required=False)
    action = forms.ChoiceField(
        label=_("Händelse"), required=False, choices=[("", _("Alla")), *AccessLogEntry.Action.choices]
    )
    date_from = forms.DateField(label=_("Från"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Till"), required=False, widget=DateInput())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            self.add_error("date_to", _("Slutdatum kan inte vara före startdatum."))
        return cleaned


class SampleForm(forms.Form):
    sample_size = forms.IntegerField(label=_("Antal poster i stickprovet"), min_value=1, max_value=200, initial=20)


class ReviewOutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=_("Resultat av kontrollen"),
        help_text=_("Var varje åtkomst befogad? Beskriv avvikelser och vad som görs åt dem."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
