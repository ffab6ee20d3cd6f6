from django import forms
from django.utils.translation import gettext_lazy as _


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
