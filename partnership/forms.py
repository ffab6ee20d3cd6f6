import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from .services import two_factor_enrolment_code_valid
from .text import strip_bidi_controls, validate_no_control_characters

EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2199, 12, 31)
LARGEST_INTEGER = 2**31 - 1  # PostgreSQL's integer: a larger number could not be stored


def validate_plausible_date(value) -> None:
    """Dates far outside the app's life (year 1, 9999) overflow date arithmetic: refuse them."""
    day = value.date() if isinstance(value, datetime.datetime) else value
    if isinstance(day, datetime.date) and not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationError(
            _("Ange ett datum mellan %(first)s och %(last)s.") % {"first": EARLIEST_DATE, "last": LATEST_DATE},
            code="implausible_date",
        )


class ChoicesInOneQuery(forms.models.ModelChoiceIterator):
    """A model choice field's options read as one plain query. Django reads them with
    QuerySet.iterator(), on PostgreSQL a server-side cursor: a DECLARE, a FETCH and a CLOSE (and,
    outside a transaction, the result kept WITH HOLD) for a few dozen districts, and a list page's
    filter form waited longer for its districts than for its list (bench/pages.py)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():  # a fresh query each time, as iterator() made
            yield self.choice(obj)


class CleanTextMixin:
    """Each text field refuses control characters and loses bidi overrides (partnership/text.py);
    dates must be plausible and whole numbers must fit the database. Model choices are read in
    one plain query (ChoicesInOneQuery)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.iterator = ChoicesInOneQuery
                field.widget.choices = field.choices  # as the field does when its queryset is set
            if isinstance(field, forms.CharField):
                extra = [validate_no_control_characters]
            elif isinstance(field, forms.DateField | forms.DateTimeField):
                extra = [validate_plausible_date]
            elif isinstance(field, forms.IntegerField):
                extra = [MaxValueValidator(LARGEST_INTEGER), MinValueValidator(-LARGEST_INTEGER)]
            else:
                extra = []
            field.validators = [*field.validators, *extra]

    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():
            if isinstance(value, str) and isinstance(self.fields.get(name), forms.CharField):
                cleaned[name] = strip_bidi_controls(value)
        return cleaned


class CleanTextForm(CleanTextMixin, forms.Form):
    """The base of every form, so no app can forget it (CleanTextMixin)."""


class CleanTextModelForm(CleanTextMixin, forms.ModelForm):
    """The base of every model form: CleanTextForm's cleaning before the instance is built."""


class TokenForm(CleanTextForm):
    """A TOTP code checked against the user's devices (django-otp throttles after failures)."""

    token = forms.RegexField(
        label=_("Engångskod"),
        regex=r"^\d{6}$",
        error_messages={"invalid": _("Ange de sex siffrorna från din autentiseringsapp.")},
        help_text=_("Sex siffror från autentiseringsappen i din telefon."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, devices, **kwargs):
        super().__init__(*args, **kwargs)
        self.devices = devices
        self.device = None

    def clean_token(self):
        token = self.cleaned_data["token"]
        allowed = [device for device in self.devices if device.verify_is_allowed()[0]]
        if not allowed:
            raise forms.ValidationError(_("För många felaktiga koder i rad. Vänta en stund och försök igen."))
        self.device = next((device for device in allowed if device.verify_token(token)), None)
        if self.device is None:
            raise forms.ValidationError(_("Koden stämmer inte. Vänta på nästa kod och försök igen."))
        return token


class EnrolmentCodeForm(CleanTextForm):
    """The one-time code a superuser issued: the only way a first authenticator is enrolled."""

    code = forms.CharField(
        label=_("Aktiveringskod"),
        max_length=40,
        help_text=_("Koden du har fått av administratören, till exempel ABCD-EFGH-JKMN."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.enrolment_code = None

    def clean_code(self):
        code = self.cleaned_data["code"]
        self.enrolment_code = two_factor_enrolment_code_valid(user=self.user, code=code)
        if self.enrolment_code is None:
            raise forms.ValidationError(
                _("Koden stämmer inte, har redan använts eller har gått ut. Be administratören om en ny kod.")
            )
        return code


def apply_service_errors(error: ValidationError, form, fallback_field=None) -> None:
    """A service's ValidationError becomes errors beside the right fields of the form."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            target = field if field in form.fields else fallback_field
            for message in field_errors:
                form.add_error(target, message)
    else:
        for message in error.messages:  # type: ignore[assignment]
            form.add_error(fallback_field, message)
