"""Forms of the coordination: the public page's filters, the public interest form (no login),
the provider's forms for taking a child in, registering a parent and publishing a group, and the
coordinator's forms for setting up a provider and inviting its first account."""

from typing import cast

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from followup.models import ContactKind
from groups.forms import VisitForm
from groups.models import Audience, SupportGroup, VisitKind
from partnership.forms import CleanTextForm, CleanTextModelForm
from partnership.models import Agreement, District, Organisation, TargetGroup

from .models import Participant, SenderRole
from .services import PROVIDER_TYPES

YES_NO = [("yes", _("Ja")), ("no", _("Nej"))]


class DateInput(forms.DateInput):
    input_type = "date"


class PublicFilterForm(CleanTextForm):
    """The public page's filters (GET). Values that do not parse are ignored, never echoed."""

    malgrupp = forms.ChoiceField(label=_("Målgrupp"), required=False)
    alder = forms.IntegerField(label=_("Barnets ålder"), min_value=0, max_value=25, required=False)
    stadsdel = forms.ChoiceField(label=_("Stadsdel"), required=False)
    termin = forms.ChoiceField(label=_("Termin"), required=False)

    def __init__(self, *args, choices: dict, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("Alla"))]
        # The fields are the ones declared above; self.fields is typed as holding any Field.
        cast(forms.ChoiceField, self.fields["malgrupp"]).choices = everything + [
            (target.code, target.display_name(language)) for target in choices["target_groups"]
        ]
        cast(forms.ChoiceField, self.fields["stadsdel"]).choices = everything + [
            (str(d.pk), d.name) for d in choices["districts"]
        ]
        cast(forms.ChoiceField, self.fields["termin"]).choices = everything + [
            (term, str(label)) for term, label in choices["terms"]
        ]

    def filters(self) -> dict:
        """The valid filters; an invalid one is left out and its error not shown (a filter that
        does not parse, such as an old term, simply shows every group)."""
        self.is_valid()
        data = self.cleaned_data
        self.errors.clear()  # the errors is_valid() just collected
        return {
            "target_group": data.get("malgrupp") or "",
            "age": data.get("alder"),
            "district": data.get("stadsdel") or "",
            "term": data.get("termin") or "",
        }


class PublicInterestForm(CleanTextForm):
    """Minimal data, and never an identity number: a first name, an age, where, what, and how to
    reach the adult. `webbplats` is a honeypot: hidden from people, filled in by robots."""

    sender_role = forms.ChoiceField(label=_("Vem är du?"), choices=SenderRole.choices, widget=forms.RadioSelect)
    child_first_name = forms.CharField(
        label=_("Barnets förnamn"),
        max_length=50,
        help_text=_("Bara förnamnet. Skriv inte personnummer."),
    )
    child_age = forms.IntegerField(label=_("Barnets ålder"), min_value=0, max_value=25)
    district = forms.ModelChoiceField(
        label=_("Stadsdel där barnet bor"), queryset=District.objects.filter(is_active=True).order_by("name")
    )
    target_group = forms.ModelChoiceField(label=_("Vad gäller det?"), queryset=TargetGroup.objects.order_by("name"))
    contact_name = forms.CharField(label=_("Ditt namn"), max_length=100)
    contact = forms.CharField(
        label=_("Telefon eller e-post"),
        max_length=100,
        help_text=_("Så att gruppledarna kan kontakta dig."),
    )
    may_tell_social_services = forms.TypedChoiceField(
        label=_("Får vi berätta för socialtjänsten i stadsdelen?"),
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        help_text=_("Säger du nej får bara verksamheterna som har grupperna veta."),
    )
    webbplats = forms.CharField(label=_("Lämna det här fältet tomt"), required=False, max_length=200)

    def __init__(self, *args, language: str = "sv", **kwargs):
        super().__init__(*args, **kwargs)
        target_group = cast(forms.ModelChoiceField, self.fields["target_group"])
        # A method in the stubs; Django reads it off the instance, so the language can be bound here.
        target_group.label_from_instance = lambda obj: obj.display_name(language)  # type: ignore[method-assign]
        self.fields["webbplats"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

    def clean_child_first_name(self):
        name = self.cleaned_data["child_first_name"].strip()
        if sum(char.isdigit() for char in name) >= 4:
            # Someone typed an identity number: refuse it, and do not echo it back.
            self.data = self.data.copy()
            self.data["child_first_name"] = ""
            raise forms.ValidationError(_("Skriv bara barnets förnamn, inga siffror eller personnummer."))
        return name

    def clean(self):
        data = super().clean()
        if data.get("sender_role") == SenderRole.YOUNG_PERSON and (data.get("child_age") or 0) < 15:
            self.add_error("child_age", _("En ung person som anmäler sig själv ska vara 15 år eller äldre."))
        return data

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get("webbplats"))


class ParticipantForm(CleanTextForm):
    """A provider outside the IOP takes a child in: the custodian's consent, then the group."""

    group = forms.ModelChoiceField(label=_("Grupp"), queryset=SupportGroup.objects.none())
    child_first_name = forms.CharField(label=_("Barnets förnamn"), max_length=50)
    child_age = forms.IntegerField(label=_("Barnets ålder"), min_value=0, max_value=25)
    custodian_name = forms.CharField(label=_("Vårdnadshavare som samtyckt"), max_length=100)
    custodian_contact = forms.CharField(label=_("Vårdnadshavarens telefon eller e-post"), max_length=100)
    consent_on = forms.DateField(label=_("Samtycket lämnades"), widget=DateInput())
    consent_how = forms.ChoiceField(label=_("Hur"), choices=Participant.ConsentHow.choices)

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups


class ParentForm(CleanTextForm):
    name = forms.CharField(label=_("Förälderns namn"), max_length=100)
    contact = forms.CharField(label=_("Telefon eller e-post"), max_length=100)
    accompanies = forms.ModelChoiceField(label=_("Barnets grupp"), queryset=SupportGroup.objects.none(), required=False)
    consent_on = forms.DateField(label=_("Föräldern samtyckte"), widget=DateInput())

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accompanies"].queryset = groups


class PublicationForm(CleanTextModelForm):
    class Meta:
        model = SupportGroup
        fields = [
            "audience",
            "target_group",
            "parallel_to",
            "district",
            "is_published",
            "public_description",
            "how_to_join",
        ]
        widgets = {
            "public_description": forms.Textarea(attrs={"rows": 3}),
            "how_to_join": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, parallel_choices, target_groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parallel_to"].queryset = parallel_choices
        self.fields["target_group"].queryset = target_groups
        self.fields["district"].queryset = District.objects.filter(is_active=True).order_by("name")
        self.fields["district"].empty_label = _("Hela staden")
        self.fields["audience"].choices = Audience.choices


class PlannedGroupsMailingForm(CleanTextForm):
    subject = forms.CharField(label=_("Ämne"), max_length=200, initial=_("Stödgrupper som planeras i Stockholm"))
    intro = forms.CharField(
        label=_("Inledning"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    contact_kind = forms.ChoiceField(label=_("Till"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_kind"].choices = [("", _("Hela kontaktlistan")), *ContactKind.choices]


class ProviderEditForm(CleanTextForm):
    """A provider's name, target groups and public contacts, corrected by the coordinator."""

    name = forms.CharField(label=_("Organisationens namn"), max_length=200)
    short_name = forms.CharField(label=_("Kortnamn (valfritt)"), max_length=50, required=False)
    target_groups = forms.ModelMultipleChoiceField(
        label=_("Målgrupper"),
        queryset=TargetGroup.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Verksamheten publicerar grupper bara under dessa målgrupper och sin överenskommelses."),
        error_messages={"required": _("Välj minst en målgrupp.")},
    )
    website = forms.URLField(label=_("Webbplats (valfritt)"), max_length=200, required=False, assume_scheme="https")
    public_email = forms.EmailField(
        label=_("Allmän e-post (valfritt)"),
        required=False,
        help_text=_("Verksamhetens egen adress, aldrig en persons. Visas på den öppna sidan."),
    )
    public_phone = forms.CharField(label=_("Telefon, växel (valfritt)"), max_length=30, required=False)


class ProviderForm(CleanTextForm):
    """A new provider. The arrangement is chosen here and set up on the next page (finance)."""

    name = forms.CharField(label=_("Organisationens namn"), max_length=200)
    short_name = forms.CharField(
        label=_("Kortnamn (valfritt)"),
        max_length=50,
        required=False,
        help_text=_("Visas i listor och på den öppna sidan, till exempel Ersta Vändpunkten."),
    )
    organisation_type = forms.ChoiceField(
        label=_("Typ av organisation"),
        choices=[(value, Organisation.Type(value).label) for value in PROVIDER_TYPES],
        widget=forms.RadioSelect,
    )
    district = forms.ModelChoiceField(
        label=_("Stadsdel (bara för en stadsdelsförvaltning)"),
        queryset=District.objects.filter(is_active=True).order_by("name"),
        required=False,
    )
    target_groups = forms.ModelMultipleChoiceField(
        label=_("Målgrupper"),
        queryset=TargetGroup.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Vilka barn och föräldrar verksamhetens grupper är till för."),
        error_messages={"required": _("Välj minst en målgrupp.")},
    )
    arrangement = forms.ChoiceField(
        label=_("Samverkansform"),
        choices=Agreement.Kind.choices,
        widget=forms.RadioSelect,
        help_text=_("Överenskommelsen med belopp och period lägger du in i nästa steg, under Ekonomi."),
    )
    website = forms.URLField(label=_("Webbplats (valfritt)"), max_length=200, required=False, assume_scheme="https")
    public_email = forms.EmailField(
        label=_("Allmän e-post (valfritt)"),
        required=False,
        help_text=_("Verksamhetens egen adress, aldrig en persons. Visas på den öppna sidan."),
    )
    public_phone = forms.CharField(label=_("Telefon, växel (valfritt)"), max_length=30, required=False)

    def clean(self):
        data = super().clean()
        organisation_type, arrangement = data.get("organisation_type"), data.get("arrangement")
        if (
            organisation_type == Organisation.Type.DISTRICT
            and not data.get("district")
            and "district" not in self.errors
        ):
            self.add_error("district", _("Välj vilken stadsdel förvaltningen hör till."))
        if organisation_type and organisation_type != Organisation.Type.DISTRICT and data.get("district"):
            self.add_error("district", _("Stadsdel anges bara för en stadsdelsförvaltning."))
        # The same as finance.services.agreement_save asks on the next page, said here already.
        if arrangement == Agreement.Kind.IOP and organisation_type and organisation_type != Organisation.Type.NGO:
            self.add_error("arrangement", _("Ett IOP ingås bara med en idéburen organisation."))
        if (
            arrangement == Agreement.Kind.DISTRICT_OWN
            and organisation_type
            and organisation_type != Organisation.Type.DISTRICT
        ):
            self.add_error("arrangement", _("Stadsdelens egna grupper drivs av en stadsdelsförvaltning."))
        return data


class StaffInviteForm(CleanTextForm):
    """The provider's operations manager: who they are and where the password link goes."""

    first_name = forms.CharField(label=_("Förnamn"), max_length=150)
    last_name = forms.CharField(label=_("Efternamn"), max_length=150)
    email = forms.EmailField(
        label=_("E-post"),
        help_text=_("Personens egen adress i tjänsten: dit går länken för att välja lösenord."),
    )
    username = forms.CharField(
        label=_("Användarnamn"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Till exempel fornamn.efternamn: bokstäver, siffror och . @ + - _"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
    )


class ParticipantVisitForm(VisitForm):
    """groups' visit form, with the provider's premises in the provider's own words."""

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, organisation=organisation, **kwargs)
        labels = {VisitKind.PREMISES: _("Besök i verksamhetens lokaler")}
        self.fields["kind"].choices = [(value, labels.get(value, label)) for value, label in VisitKind.choices]
