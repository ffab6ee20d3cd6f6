"""Forms of the follow-up pages: shape and normalisation only; the rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from partnership.forms import CleanTextForm
from partnership.models import AMENDABLE_AGREEMENT_FIELDS, Agreement, District, Organisation, TargetGroup

from .models import ContactKind, CooperationGroupMember, EvaluationQuestion, Term


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def question_fields(instrument) -> dict[str, forms.Field]:
    """One field per question, named q_<code>: the services' errors use the same names."""
    fields: dict[str, forms.Field] = {}
    for question in instrument.questions.all():
        name = f"q_{question.code}"
        if question.kind == EvaluationQuestion.Kind.LIKERT:
            choices = []
            for value in question.scale:
                label = str(value)
                if value == question.scale_min and question.low_label:
                    label = f"{value} – {question.low_label}"
                elif value == question.scale_max and question.high_label:
                    label = f"{value} – {question.high_label}"
                choices.append((str(value), label))
            # Not a ChoiceField: a value outside the scale must reach the service, which names it.
            fields[name] = forms.CharField(
                label=question.text,
                required=False,
                widget=forms.RadioSelect(choices=choices),
            )
        else:
            fields[name] = forms.CharField(
                label=question.text, required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
            )
    return fields


def answers_from(cleaned_data: dict) -> dict:
    return {name[2:]: value for name, value in cleaned_data.items() if name.startswith("q_")}


class AnswerSetForm(CleanTextForm):
    """A leader types in a child's paper questionnaire."""

    referral = forms.ChoiceField(label=_("Barn"))
    moment = forms.ChoiceField(label=_("Tillfälle"))
    answered_on = forms.DateField(label=_("Besvarad den"), widget=DateInput())

    def __init__(self, *args, instrument, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referral"].choices = [("", "—"), *children]
        self.fields["moment"].choices = instrument.moment_choices
        self.fields.update(question_fields(instrument))


class PublicAnswerForm(CleanTextForm):
    def __init__(self, *args, instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(question_fields(instrument))


class EvaluationLinkForm(CleanTextForm):
    referral = forms.ChoiceField(label=_("Barn vars familjehem ska svara"))
    instrument = forms.ChoiceField(label=_("Formulär"))
    moment = forms.ChoiceField(label=_("Tillfälle"))
    valid_days = forms.IntegerField(label=_("Giltig i antal dagar"), min_value=1, max_value=60, initial=14)

    def __init__(self, *args, instruments, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referral"].choices = [("", "—"), *children]
        self.fields["instrument"].choices = [(str(i.public_id), str(i)) for i in instruments]
        moments = {value: label for i in instruments for value, label in i.moment_choices}
        self.fields["moment"].choices = list(moments.items())


class OutcomeFilterForm(CleanTextForm):
    year = forms.TypedChoiceField(label=_("År"), coerce=int, required=False, empty_value=None)
    group_format = forms.ChoiceField(label=_("Form"), required=False)
    group = forms.ChoiceField(label=_("Grupp"), required=False)

    def __init__(self, *args, years, formats, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(str(y), str(y)) for y in years]
        self.fields["group_format"].choices = [("", _("Alla former")), *formats]
        self.fields["group"].choices = [("", _("Alla grupper")), *((str(g.public_id), g.name) for g in groups)]


class MeetingForm(CleanTextForm):
    meeting_date = forms.DateField(label=_("Datum"), widget=DateInput())
    location = forms.CharField(label=_("Plats"), max_length=200, required=False)


class AgendaItemForm(CleanTextForm):
    title = forms.CharField(label=_("Punkt"), max_length=200)
    description = forms.CharField(label=_("Beskrivning"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MinutesForm(CleanTextForm):
    minutes = forms.CharField(label=_("Protokoll"), widget=forms.Textarea(attrs={"rows": 8}))


class DecisionForm(CleanTextForm):
    text = forms.CharField(label=_("Beslut"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(label=_("Ansvarig"), queryset=CooperationGroupMember.objects.none())
    due_on = forms.DateField(label=_("Klart senast"), widget=DateInput())

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members


class AmendmentForm(CleanTextForm):
    title = forms.CharField(label=_("Rubrik"), max_length=200)
    description = forms.CharField(label=_("Ändringens lydelse"), widget=forms.Textarea(attrs={"rows": 4}))
    ends_on = forms.DateField(label=AMENDABLE_AGREEMENT_FIELDS["ends_on"], required=False, widget=DateInput())
    target_groups_per_year = forms.IntegerField(
        label=AMENDABLE_AGREEMENT_FIELDS["target_groups_per_year"], required=False, min_value=0
    )
    target_children_per_year = forms.IntegerField(
        label=AMENDABLE_AGREEMENT_FIELDS["target_children_per_year"], required=False, min_value=0
    )
    min_group_size = forms.IntegerField(label=AMENDABLE_AGREEMENT_FIELDS["min_group_size"], required=False, min_value=1)
    max_group_size = forms.IntegerField(label=AMENDABLE_AGREEMENT_FIELDS["max_group_size"], required=False, min_value=1)
    external_child_fee_kr = forms.IntegerField(
        label=_("avgift per barn från annan kommun (kr)"), required=False, min_value=0
    )

    def changes(self) -> dict:
        data = self.cleaned_data
        changes = {
            name: data[name]
            for name in ("target_groups_per_year", "target_children_per_year", "min_group_size", "max_group_size")
            if data.get(name) is not None
        }
        if data.get("ends_on"):
            changes["ends_on"] = data["ends_on"].isoformat()
        if data.get("external_child_fee_kr") is not None:
            changes["external_child_fee_ore"] = data["external_child_fee_kr"] * 100
        return changes

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.changes():
            raise forms.ValidationError(_("Ange minst en uppgift som ändras."))
        return cleaned


class SignatureForm(CleanTextForm):
    party = forms.ChoiceField(
        label=_("Part"),
        choices=[("public", _("Offentlig part")), ("provider", _("Idéburen part"))],
        widget=forms.RadioSelect,
    )
    signed_by = forms.CharField(label=_("Undertecknad av (namn och funktion)"), max_length=200)
    signed_on = forms.DateField(label=_("Datum för underskrift"), widget=DateInput())


class ContactForm(CleanTextForm):
    kind = forms.ChoiceField(label=_("Typ av kontakt"), choices=ContactKind.choices, initial=ContactKind.DISTRICT)
    organisation = forms.CharField(
        label=_("Organisation"), max_length=200, required=False, help_text=_("T.ex. skolans eller mottagningens namn.")
    )
    district = forms.ModelChoiceField(
        label=_("Stadsdel"),
        queryset=District.objects.filter(is_active=True),
        required=False,
        help_text=_("Krävs för en kontakt på en stadsdel."),
    )
    name = forms.CharField(label=_("Namn"), max_length=200)
    role = forms.CharField(label=_("Funktion"), max_length=200)
    email = forms.EmailField(label=_("E-post"))
    phone = forms.CharField(label=_("Telefon"), max_length=50, required=False)


class ContactImportForm(CleanTextForm):
    file = forms.FileField(
        label=_("Fil (CSV eller Excel)"),
        help_text=_(
            "Första raden: stadsdel, namn, funktion, e-post, telefon, typ, organisation. Typ: stadsdel, skola, "
            "vård, region, verksamhet eller annan (tom räknas som stadsdel). Stadsdel behövs bara för en "
            "kontakt på en stadsdel."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError(_("Filen är större än 2 MB."))
        return upload


class InformationMeetingForm(CleanTextForm):
    starts_at = forms.DateTimeField(label=_("Börjar"), widget=DateTimeInput())
    location = forms.CharField(label=_("Plats"), max_length=200)
    topic = forms.CharField(label=_("Tema"), max_length=200, required=False)
    agreement = forms.ModelChoiceField(
        label=_("Hålls inom"),
        queryset=Agreement.objects.none(),
        required=False,
        help_text=_(
            "Ett möte inom en IOP räknas mot överenskommelsens frukostmöten, tre per år. "
            "Utan överenskommelse hålls mötet av er egen organisation."
        ),
    )

    def __init__(self, *args, agreements, own_label, **kwargs):
        """`agreements`: those the user may hold a meeting under; `own_label`: the empty choice,
        the meeting held by the user's own organisation (the city's, or the provider's own)."""
        super().__init__(*args, **kwargs)
        field = self.fields["agreement"]
        field.queryset = agreements
        field.empty_label = own_label
        field.label_from_instance = lambda agreement: f"{agreement.provider}: {agreement}"


class InvitationForm(forms.Form):
    """Which kinds of contact a meeting's invitation goes to; each choice shows how many there are."""

    contact_kinds = forms.MultipleChoiceField(
        label=_("Bjud in"),
        choices=ContactKind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Välj minst en typ av kontakt.")},
    )

    def __init__(self, *args, counts=(), **kwargs):
        super().__init__(*args, **kwargs)
        if counts:
            self.fields["contact_kinds"].choices = [
                (count.kind, f"{count.label} ({count.contacts})") for count in counts
            ]
            self.initial.setdefault("contact_kinds", [count.kind for count in counts if count.contacts])


class SignupForm(CleanTextForm):
    name = forms.CharField(label=_("Namn"), max_length=200)
    email = forms.EmailField(label=_("E-post"))
    district = forms.ModelChoiceField(
        label=_("Stadsdel"), queryset=District.objects.filter(is_active=True), required=False
    )


class ReportForm(CleanTextForm):
    year = forms.TypedChoiceField(label=_("År"), coerce=int)
    term = forms.ChoiceField(label=_("Period"), required=False)

    def __init__(self, *args, years, agreements=(), **kwargs):
        super().__init__(*args, **kwargs)
        if len(agreements) > 1:
            # A renewal: every agreement, and so every year of each, can be chosen.
            self.fields = {
                "overenskommelse": forms.ChoiceField(
                    label=_("Överenskommelse"),
                    required=False,
                    choices=[(str(agreement.public_id), str(agreement)) for agreement in agreements],
                ),
                **self.fields,
            }
        self.fields["year"].choices = [(str(year), str(year)) for year in years]
        self.fields["term"].choices = [("", _("Helt år")), *Term.choices]


class ReferenceGroupForm(CleanTextForm):
    target_group = forms.ModelChoiceField(label=_("Område (målgrupp)"), queryset=TargetGroup.objects.order_by("name"))
    name = forms.CharField(label=_("Namn"), max_length=200)
    purpose = forms.CharField(label=_("Uppdrag"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReferenceMemberForm(CleanTextForm):
    name = forms.CharField(label=_("Namn"), max_length=200)
    title = forms.CharField(label=_("Funktion"), max_length=200)
    representing = forms.ChoiceField(label=_("Företräder"), choices=CooperationGroupMember.Representing.choices)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        help_text=_("För en stadsdel eller en utförare. En sakkunnig kan sakna organisation här."),
    )


class MemberEndForm(CleanTextForm):
    ended_on = forms.DateField(
        label=_("Sista dag som ledamot"),
        widget=DateInput(),
        help_text=_("Ledamoten finns kvar i gruppens protokoll och beslut."),
    )
