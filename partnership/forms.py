from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .services import two_factor_enrolment_code_valid


class TokenForm(forms.Form):
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


class EnrolmentCodeForm(forms.Form):
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
