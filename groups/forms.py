"""Shape and normalisation only; the rules (capacity, holidays, overlaps, visits) are in services."""

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from partnership.forms import CleanTextForm
from partnership.models import Role

from .models import AbsenceReason, GroupFormat, Premises, VisitKind
from .schedule import DEFAULT_FOLLOW_UP_WEEKS

WEEKDAYS = [
    (0, _("Måndag")),
    (1, _("Tisdag")),
    (2, _("Onsdag")),
    (3, _("Torsdag")),
    (4, _("Fredag")),
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def leaders_of(organisation):
    return (
        get_user_model()
        .objects.filter(
            membership__organisation=organisation,
            membership__role__in=(Role.GROUP_LEADER, Role.OPERATIONS_MANAGER),
            is_active=True,
        )
        .order_by("first_name", "last_name")
    )


class LeaderChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class LeaderField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class GroupForm(CleanTextForm):
    name = forms.CharField(label=_("Namn"), max_length=200)
    format = forms.ChoiceField(label=_("Form"), choices=GroupFormat.choices, widget=forms.RadioSelect)
    min_age = forms.IntegerField(label=_("Lägsta ålder"), min_value=0, max_value=25, initial=7)
    max_age = forms.IntegerField(label=_("Högsta ålder"), min_value=0, max_value=25, initial=12)
    leaders = LeaderChoiceField(
        label=_("Gruppledare"), queryset=get_user_model().objects.none(), widget=forms.CheckboxSelectMultiple
    )
    premises = forms.ModelChoiceField(label=_("Lokal"), queryset=Premises.objects.all(), required=False)
    first_date = forms.DateField(
        label=_("Första möjliga datum"),
        widget=DateInput(),
        help_text=_("Veckovis grupp: första träffen blir vald veckodag från och med detta datum. Stödhelg: en lördag."),
    )
    weekday = forms.TypedChoiceField(
        label=_("Veckodag (veckovis grupp)"), choices=WEEKDAYS, coerce=int, required=False, initial=0
    )
    start_time = forms.TimeField(
        label=_("Starttid (veckovis grupp)"), widget=TimeInput(), required=False, initial=datetime.time(16, 0)
    )
    follow_up_weeks = forms.IntegerField(
        label=_("Veckor till uppföljningslördagen (stödhelg)"),
        min_value=2,
        max_value=12,
        required=False,
        initial=DEFAULT_FOLLOW_UP_WEEKS,
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leaders"].queryset = leaders_of(organisation)

    def clean(self):
        data = super().clean()
        if data.get("format") == GroupFormat.WEEKLY:
            if data.get("weekday") in (None, ""):
                self.add_error("weekday", _("Välj veckodag."))
            if not data.get("start_time"):
                self.add_error("start_time", _("Ange starttid."))
        return data


class MeetingMoveForm(CleanTextForm):
    date = forms.DateField(label=_("Nytt datum"), widget=DateInput())
    time = forms.TimeField(label=_("Ny starttid"), widget=TimeInput())


class PlaceForm(CleanTextForm):
    referral = forms.UUIDField(widget=forms.HiddenInput)
    age_override_reason = forms.CharField(
        label=_("Motivering om barnets ålder ligger utanför gruppens"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReasonForm(CleanTextForm):
    reason = forms.CharField(label=_("Orsak"), widget=forms.Textarea(attrs={"rows": 3}))


class WaitingListMoveForm(CleanTextForm):
    steps = forms.TypedChoiceField(
        label=_("Flytta"),
        choices=[(1, _("Upp i listan")), (-1, _("Ned i listan"))],
        coerce=int,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Orsak"), widget=forms.Textarea(attrs={"rows": 3}))


class VisitForm(CleanTextForm):
    kind = forms.ChoiceField(label=_("Typ"), choices=VisitKind.choices, widget=forms.RadioSelect)
    visit_date = forms.DateField(label=_("Datum"), widget=DateInput(), required=False)
    leader = LeaderField(label=_("Gruppledare"), queryset=get_user_model().objects.none(), required=False)
    outcome = forms.CharField(
        label=_("Utfall"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Fyll i efter besöket. Ett besök räknas som genomfört när utfallet är registrerat."),
    )
    exception_reason = forms.CharField(
        label=_("Motivering för undantag"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = leaders_of(organisation)


class CancelForm(ReasonForm):
    pass


ABSENCE_CHOICES = [("", _("Välj orsak")), *AbsenceReason.choices]


class AttendanceRowForm(CleanTextForm):
    present = forms.TypedChoiceField(
        label=_("Närvaro"),
        choices=[("1", _("Närvarande")), ("0", _("Frånvarande"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    absence_reason = forms.ChoiceField(label=_("Orsak till frånvaro"), choices=ABSENCE_CHOICES, required=False)
    note = forms.CharField(label=_("Kommentar"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("present") is False and not data.get("absence_reason"):
            self.add_error("absence_reason", _("Ange orsak till frånvaron."))
        return data


class FamilyRemindersForm(CleanTextForm):
    enabled = forms.BooleanField(
        label=_("Familjehemmet vill ha ett mejl dagen före varje träff"),
        help_text=_(
            "Kryssa i bara om familjehemmet själv har sagt ja. Mejlet säger vilken dag, tid och plats gruppen "
            "träffas, inget om barnet. Ta bort krysset när familjen inte längre vill ha påminnelser."
        ),
        required=False,
    )
