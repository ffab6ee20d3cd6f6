"""Swedish identity numbers: personnummer and samordningsnummer.

Validation (format, date, Luhn check digit, century, `+` after 100) comes from the maintained
`personnummer` package; this module adds what the domain needs on top: a canonical form, refusal
of future dates, and the keyed hash used for the duplicate check. The number itself is never
logged, shown in lists or put in a URL.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from personnummer import personnummer

from partnership.encryption import keyed_hash


@dataclass(frozen=True)
class IdentityNumber:
    canonical: str  # YYYYMMDD-NNNC
    birth_date: datetime.date
    is_coordination_number: bool

    @property
    def hash(self) -> str:
        return keyed_hash(self.canonical)


def parse_identity_number(raw: str, *, today: datetime.date | None = None) -> IdentityNumber:
    """Parse and validate; raises ValidationError with a Swedish message naming what is wrong."""
    text = "".join(raw.split())
    try:
        number = personnummer.parse(text)
    except personnummer.PersonnummerParseException as error:
        raise ValidationError(
            _("Skriv personnumret som ÅÅÅÅMMDD-NNNN (eller ÅÅMMDD-NNNN, med + efter 100 års ålder)."),
            code="format",
        ) from error
    except personnummer.PersonnummerException as error:
        raise ValidationError(
            _("Personnumret är inte giltigt: kontrollsiffran eller datumet stämmer inte."), code="invalid"
        ) from error
    birth_date = number.get_date()
    if birth_date > (today or timezone.localdate()):
        raise ValidationError(_("Personnumret har ett födelsedatum i framtiden."), code="future")
    canonical = f"{number.century}{number.year}{number.month}{number.day}-{number.num}{number.check}"
    return IdentityNumber(canonical, birth_date, number.is_coordination_number())


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
