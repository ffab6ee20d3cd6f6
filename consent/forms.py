from django import forms
from django.utils.translation import gettext_lazy as _

from partnership.forms import CleanTextForm
from partnership.models import AccessLogEntry
from partnership.uploads import stored_document, validate_document
from referrals.forms import DateInput

from .models import GuardianConsent


class AccessLogFilterForm(CleanTextForm):
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


class SampleForm(CleanTextForm):
    sample_size = forms.IntegerField(label=_("Antal poster i stickprovet"), min_value=1, max_value=200, initial=20)


class ReviewOutcomeForm(CleanTextForm):
    outcome = forms.CharField(
        label=_("Resultat av kontrollen"),
        help_text=_("Var varje åtkomst befogad? Beskriv avvikelser och vad som görs åt dem."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class ConsentForm(CleanTextForm):
    given_on = forms.DateField(label=_("Datum för samtycket"), widget=DateInput())
    method = forms.ChoiceField(label=_("Hur samtycket inhämtades"), choices=GuardianConsent.Method.choices)
    information_given = forms.CharField(
        label=_("Information som vårdnadshavaren fått om verksamheten"), widget=forms.Textarea(attrs={"rows": 3})
    )
    document = forms.FileField(
        label=_("Inskannat samtycke (valfritt)"),
        required=False,
        help_text=_("PDF, PNG eller JPEG, högst 10 MB."),
        validators=[validate_document],
    )

    def clean_document(self):
        # Judged by content, so named by content: the stored and downloaded file gets the type's
        # extension, never the uploaded name's (a PNG called .pdf, a PDF called .html).
        document = self.cleaned_data.get("document")
        return stored_document(document, stem="samtycke") if document else document


class ConcernForm(CleanTextForm):
    justification = forms.CharField(
        label=_("Vad oron gäller"),
        help_text=_("Beskriv vad du har sett eller hört. Anmälan går till stadsdelen och loggas."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
