import re

from django import forms
from django.utils.translation import gettext_lazy as _

from partnership.forms import CleanTextForm

from .identity_numbers import parse_identity_number
from .models import Custody, PlacementBasis, ReferralStatus


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


VISIBLE_TO_BRIS_BEFORE_CONSENT = _(
    "Syns för Bris redan innan samtycket finns. Skriv inget som pekar ut barnet eller familjen."
)


class ReferralForm(CleanTextForm):
    """Shape and normalisation only; the rules (age, duplicates, consent) live in the services."""

    first_name = forms.CharField(label=_("Förnamn"), max_length=100)
    last_name = forms.CharField(label=_("Efternamn"), max_length=100)
    identity_number = forms.CharField(
        label=_("Personnummer eller samordningsnummer"),
        max_length=20,
        help_text=_("ÅÅÅÅMMDD-NNNN. Visas aldrig i listor eller adresser."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    address = forms.CharField(label=_("Barnets adress"), max_length=200, required=False)
    phone = forms.CharField(label=_("Barnets telefon"), max_length=50, required=False)
    email = forms.EmailField(label=_("Barnets e-post"), required=False)

    foster_home_name = forms.CharField(label=_("Familjehem"), max_length=200)
    foster_contact_person = forms.CharField(label=_("Kontaktperson i familjehemmet"), max_length=200)
    foster_phone = forms.CharField(label=_("Familjehemmets telefon"), max_length=50)
    foster_email = forms.EmailField(label=_("Familjehemmets e-post"), required=False)
    foster_address = forms.CharField(label=_("Familjehemmets adress"), max_length=200, required=False)

    placement_basis = forms.ChoiceField(
        label=_("Placeringsgrund"), choices=PlacementBasis.choices, widget=forms.RadioSelect
    )
    lvu_legal_basis = forms.CharField(
        label=_("Lagrum för LVU-vården"),
        max_length=200,
        required=False,
        help_text=_("Endast vid LVU, till exempel 2 § LVU eller 3 § LVU."),
    )
    custody = forms.ChoiceField(
        label=_("Vårdnad"),
        choices=Custody.choices,
        help_text=_(
            "Gemensam vårdnad: ange båda vårdnadshavarna. Vårdnad hos socialnämnden: ange nämnden som "
            "vårdnadshavare. Vid SoL ska alla som har vårdnaden samtycka."
        ),
    )
    planned_start = forms.DateField(label=_("Önskad start"), widget=DateInput())

    # The needs are the free text Bris reads before the consent gate (to plan groups): each says so.
    needs_language = forms.CharField(
        label=_("Språk och tolkbehov"), max_length=200, required=False, help_text=VISIBLE_TO_BRIS_BEFORE_CONSENT
    )
    needs_accessibility = forms.CharField(
        label=_("Tillgänglighet"), max_length=200, required=False, help_text=VISIBLE_TO_BRIS_BEFORE_CONSENT
    )
    needs_age_group = forms.CharField(
        label=_("Önskemål om åldersgrupp"), max_length=200, required=False, help_text=VISIBLE_TO_BRIS_BEFORE_CONSENT
    )
    needs_other = forms.CharField(
        label=_("Övrigt som är viktigt inför gruppen"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=VISIBLE_TO_BRIS_BEFORE_CONSENT,
    )

    is_external = forms.BooleanField(label=_("Barnet tillhör en annan kommun än Stockholm"), required=False)
    external_municipality = forms.CharField(
        label=_("Ansvarig kommun"),
        max_length=100,
        required=False,
        help_text=_("Kommunen betalar 5 000 kr för barnets plats. Syns för Bris redan innan samtycket finns."),
    )

    case_officer_name = forms.CharField(label=_("Ansvarig handläggare"), max_length=200)
    case_officer_phone = forms.CharField(label=_("Handläggarens telefon"), max_length=50, required=False)
    case_officer_email = forms.EmailField(label=_("Handläggarens e-post"), required=False)

    def clean_identity_number(self):
        # Normalise here so the service gets one canonical form; the service validates again.
        return parse_identity_number(self.cleaned_data["identity_number"]).canonical


class GuardianForm(CleanTextForm):
    name = forms.CharField(label=_("Vårdnadshavarens namn"), max_length=200)
    has_custody = forms.BooleanField(label=_("Har vårdnaden"), required=False, initial=True)
    phone = forms.CharField(label=_("Telefon"), max_length=50, required=False)
    email = forms.EmailField(label=_("E-post"), required=False)


GuardianFormSet = forms.formset_factory(GuardianForm, extra=2, max_num=4, validate_max=True)


class ReasonForm(CleanTextForm):
    reason = forms.CharField(label=_("Orsak"), widget=forms.Textarea(attrs={"rows": 3}))


class TransitionForm(CleanTextForm):
    to_status = forms.ChoiceField(choices=ReferralStatus.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Orsak"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


# A pseudonym, or text with at most five digits: what the GET search (its words end up in the
# address, the browser history and server logs) may carry. The browser refuses anything else
# before sending it; the view drops it if it comes anyway (looks_like_identity_number).
NAME_SEARCH_PATTERN = r"(B-[A-Za-z2-9]{6})|([^0-9]*([0-9][^0-9]*){0,5})"
PSEUDONYM = re.compile(r"^\s*B-[A-Z2-9]{6}\s*$", re.IGNORECASE)


def looks_like_identity_number(text: str) -> bool:
    """Six digits or more, other than a pseudonym: possibly a personnummer, never to be searched
    by GET or echoed back into a page or a link."""
    return not PSEUDONYM.match(text) and sum(char.isdigit() for char in text) >= 6


class ReferralFilterForm(CleanTextForm):
    AGE_BANDS = [("", _("Alla åldrar")), ("7-9", "7–9"), ("10-12", "10–12"), ("13-15", "13–15"), ("16-18", "16–18")]

    q = forms.CharField(
        label=_("Sök namn eller pseudonym"),
        required=False,
        help_text=_("Personnummer söker du i fältet för personnummer."),
        widget=forms.TextInput(
            attrs={
                "pattern": NAME_SEARCH_PATTERN,
                "title": _("Namn eller pseudonym. Sök personnummer i fältet för personnummer."),
                "autocomplete": "off",
            }
        ),
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Alla")), *ReferralStatus.choices])
    district = forms.ModelChoiceField(label=_("Stadsdel"), required=False, queryset=None, empty_label=_("Alla"))  # type: ignore[var-annotated]
    age_band = forms.ChoiceField(label=_("Ålder"), required=False, choices=AGE_BANDS)
    placement_basis = forms.ChoiceField(
        label=_("Placeringsgrund"), required=False, choices=[("", _("Alla")), *PlacementBasis.choices]
    )

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts


class InterestRegistrationForm(CleanTextForm):
    district = forms.ModelChoiceField(label=_("Barnets stadsdel"), queryset=None)  # type: ignore[var-annotated]
    child_first_name = forms.CharField(label=_("Barnets förnamn"), max_length=100)
    child_birth_year = forms.IntegerField(label=_("Barnets födelseår"), min_value=1990, max_value=2100)
    foster_contact_person = forms.CharField(label=_("Kontaktperson i familjehemmet"), max_length=200)
    foster_phone = forms.CharField(label=_("Familjehemmets telefon"), max_length=50)
    foster_email = forms.EmailField(label=_("Familjehemmets e-post"), required=False)
    message = forms.CharField(label=_("Meddelande"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts


class IdentityNumberSearchForm(CleanTextForm):
    """Search by personnummer: sent by POST, so the number never reaches an address or a log."""

    identity_number = forms.CharField(
        label=_("Sök på personnummer"),
        max_length=20,
        help_text=_("Hittar barnet bland din stadsdels anmälningar. Numret sparas eller loggas inte."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def clean_identity_number(self):
        return parse_identity_number(self.cleaned_data["identity_number"])


class PurgeConfirmForm(CleanTextForm):
    confirm = forms.BooleanField(
        label=_("Jag förstår att uppgifterna raderas för gott och inte kan återskapas."),
        error_messages={"required": _("Bekräfta att uppgifterna ska gallras.")},
    )
