from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from partnership.forms import CleanTextForm
from referrals.forms import DateInput, validate_scanned_document

from .models import TravelCost
from .money import parse_amount_ore


class AmountField(forms.CharField):
    """Kronor typed the Swedish way ("1 234,50") or plainly ("1234.50"), cleaned to integer öre."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Belopp (kr)"))
        kwargs.setdefault("help_text", _("Till exempel 1 234,50."))
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(max_length=30, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        ore = parse_amount_ore(value)
        if ore <= 0:
            raise ValidationError(_("Beloppet måste vara större än noll."), code="zero")
        return ore


class PaymentPaidForm(CleanTextForm):
    paid_on = forms.DateField(label=_("Betalningsdatum"), widget=DateInput())
    reference = forms.CharField(
        label=_("Referens"), max_length=100, help_text=_("Till exempel verifikations- eller betalningsnummer.")
    )


class ReasonForm(CleanTextForm):
    reason = forms.CharField(
        label=_("Motivering"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Motiveringen sparas i ekonomiloggen."),
    )


class CostForm(CleanTextForm):
    budget_line = forms.ModelChoiceField(label=_("Budgetpost"), queryset=None, empty_label=None)
    spent_on = forms.DateField(label=_("Datum"), widget=DateInput())
    amount = AmountField()
    description = forms.CharField(label=_("Beskrivning"), max_length=300)
    receipt = forms.FileField(
        label=_("Kvitto (valfritt)"),
        required=False,
        help_text=_("PDF, PNG eller JPEG, högst 10 MB."),
        validators=[validate_scanned_document],
    )

    def __init__(self, *args, budget_lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget_line"].queryset = budget_lines


class CostChangeForm(CostForm):
    reason = forms.CharField(label=_("Varför ändras kostnaden?"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receipt"].label = _("Nytt kvitto (valfritt)")
        self.fields["receipt"].help_text = _(
            "Lämna tomt för att behålla kvittot som finns. PDF, PNG eller JPEG, högst 10 MB."
        )


class FeePaidForm(CleanTextForm):
    paid_on = forms.DateField(label=_("Betalningsdatum"), widget=DateInput())


class TravelCostForm(CleanTextForm):
    referral = forms.ModelChoiceField(label=_("Barn (pseudonym och stadsdel)"), queryset=None)
    kind = forms.ChoiceField(label=_("Slag"), choices=TravelCost.Kind.choices)
    incurred_on = forms.DateField(label=_("Datum"), widget=DateInput())
    amount = AmountField()
    description = forms.CharField(label=_("Beskrivning"), max_length=300, required=False)

    def __init__(self, *args, referrals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referral"].queryset = referrals
        # Pseudonym and district only: this list is seen by the coordinator too.
        self.fields["referral"].label_from_instance = lambda referral: f"{referral.pseudonym} ({referral.district})"


class ReportRequestForm(CleanTextForm):
    fee_reinvestment = forms.CharField(
        label=_("Hur avgifterna från andra kommuner återinvesterats"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SettlementForm(CleanTextForm):
    termination_date = forms.DateField(label=_("Datum för uppsägningen"), widget=DateInput())
