from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from partnership.forms import CleanTextForm
from partnership.models import Agreement, Organisation, TargetGroup
from partnership.uploads import validate_document
from referrals.forms import DateInput

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
    budget_line = forms.ModelChoiceField(label=_("Budgetpost"), queryset=None, empty_label=None)  # type: ignore[var-annotated]
    spent_on = forms.DateField(label=_("Datum"), widget=DateInput())
    amount = AmountField()
    description = forms.CharField(label=_("Beskrivning"), max_length=300)
    receipt = forms.FileField(
        label=_("Kvitto (valfritt)"),
        required=False,
        help_text=_("PDF, PNG eller JPEG, högst 10 MB."),
        validators=[validate_document],
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


class FeeVoidForm(CleanTextForm):
    reason = forms.CharField(
        label=_("Varför avgiften makuleras"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Skälet sparas i ekonomiloggen, till exempel att barnet aldrig började eller fel kommun."),
        error_messages={"required": _("Ange varför avgiften makuleras.")},
    )


class TravelCostForm(CleanTextForm):
    # The child by pseudonym, typed: a select box of every child the user may record travel for
    # grows with the years (tens of thousands of options at national scale).
    child = forms.CharField(
        label=_("Barnets pseudonym"),
        max_length=12,
        help_text=_("Till exempel B-ABC234. Den står på barnets anmälan och i gruppens lista."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    kind = forms.ChoiceField(label=_("Slag"), choices=TravelCost.Kind.choices)
    incurred_on = forms.DateField(label=_("Datum"), widget=DateInput())
    amount = AmountField()
    description = forms.CharField(label=_("Beskrivning"), max_length=300, required=False)

    def __init__(self, *args, referrals, **kwargs):
        super().__init__(*args, **kwargs)
        self.referrals = referrals

    def clean_child(self):
        """The referral with this pseudonym among those the user may record travel for."""
        # Pseudonyms are stored in capitals (referrals.models.PSEUDONYM_ALPHABET).
        referral = self.referrals.filter(pseudonym=self.cleaned_data["child"].strip().upper()).first()
        if referral is None:
            raise ValidationError(
                _("Inget barn med den pseudonymen som du kan registrera resor för: kontrollera pseudonymen."),
                code="unknown_child",
            )
        return referral


class ReportRequestForm(CleanTextForm):
    fee_reinvestment = forms.CharField(
        label=_("Hur avgifterna från andra kommuner återinvesterats"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SettlementForm(CleanTextForm):
    termination_date = forms.DateField(label=_("Datum för uppsägningen"), widget=DateInput())


# --- Setting up an agreement (IOP 3.2, 4.1, 4.3) -------------------------------------------------


class AgreementForm(CleanTextForm):
    """An arrangement's period, parties and group sizes, and what its kind adds: an IOP's targets
    and fee (its budget lines are BudgetLineFormSet's), an operating grant's amount and report
    date. A district's own groups add nothing: no money moves. The public party is the
    coordinator's own organisation."""

    name = forms.CharField(label=_("Namn"), max_length=200)
    provider: "forms.ModelChoiceField[Organisation]" = forms.ModelChoiceField(
        label=_("Idéburen part"), queryset=None, empty_label=None
    )
    target_group: "forms.ModelChoiceField[TargetGroup]" = forms.ModelChoiceField(
        label=_("Målgrupp"), queryset=None, empty_label=None
    )
    starts_on = forms.DateField(label=_("Gäller från"), widget=DateInput())
    ends_on = forms.DateField(label=_("Gäller till"), widget=DateInput())
    grant_amount = AmountField(label=_("Verksamhetsstöd per år (kr)"), help_text=_("Till exempel 450 000."))
    grant_report_due_on = forms.DateField(label=_("Redovisning senast (valfritt)"), required=False, widget=DateInput())
    target_groups_per_year = forms.IntegerField(label=_("Minsta antal grupper per år"), min_value=1, max_value=10_000)
    target_children_per_year = forms.IntegerField(label=_("Antal barn per år (ca)"), min_value=1, max_value=100_000)
    min_group_size = forms.IntegerField(label=_("Minsta gruppstorlek"), min_value=1, max_value=100)
    max_group_size = forms.IntegerField(label=_("Största gruppstorlek"), min_value=1, max_value=100)
    external_child_fee = AmountField(
        label=_("Avgift per barn från annan kommun (kr)"), help_text=_("Per barn och år, till exempel 5 000.")
    )

    # The fields only some kinds have; the others are left out of the form altogether.
    KIND_FIELDS = {
        Agreement.Kind.IOP: {"target_groups_per_year", "target_children_per_year", "external_child_fee"},
        Agreement.Kind.OPERATING_GRANT: {"grant_amount", "grant_report_due_on"},
        Agreement.Kind.DISTRICT_OWN: set(),
    }

    def __init__(self, *args, kind: str = Agreement.Kind.IOP, public_party: Organisation | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        for name in set().union(*self.KIND_FIELDS.values()) - self.KIND_FIELDS[Agreement.Kind(kind)]:
            del self.fields[name]
        # Whom each kind is made with (finance.services checks the same).
        providers = Organisation.objects.exclude(organisation_type=Organisation.Type.CITY)
        if public_party is not None:
            providers = providers.exclude(pk=public_party.pk)
        if kind == Agreement.Kind.IOP:
            providers = providers.filter(kind=Organisation.Kind.NONPROFIT)
        elif kind == Agreement.Kind.DISTRICT_OWN:
            providers = providers.filter(organisation_type=Organisation.Type.DISTRICT)
            self.fields["provider"].label = _("Stadsdelsförvaltning")
        else:
            self.fields["provider"].label = _("Mottagare av verksamhetsstödet")
        cast(forms.ModelChoiceField, self.fields["provider"]).queryset = providers
        cast(forms.ModelChoiceField, self.fields["target_group"]).queryset = TargetGroup.objects.all()

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["starts_on"] > data["ends_on"]:
            self.add_error("ends_on", _("Slutdatumet kan inte vara före startdatumet."))
        low, high = data.get("min_group_size"), data.get("max_group_size")
        if low and high and low > high:
            self.add_error("max_group_size", _("Största gruppstorlek kan inte vara mindre än minsta."))
        return data


class BudgetLineForm(CleanTextForm):
    name = forms.CharField(label=_("Budgetpost"), max_length=100, required=False)
    amount = AmountField(label=_("Belopp per år (kr)"), required=False, help_text=_("Till exempel 678 833."))

    def clean(self):
        data = super().clean()
        name, amount = (data.get("name") or "").strip(), data.get("amount")
        if name and amount is None and "amount" not in self.errors:
            self.add_error("amount", _("Ange beloppet för budgetposten."))
        if amount is not None and not name:
            self.add_error("name", _("Ange budgetpostens namn."))
        return data


BudgetLineFormSet = forms.formset_factory(BudgetLineForm, extra=0, min_num=1, max_num=20)
