"""Text that people type, cleaned in one place before any app stores it (issue 14).

- Bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) are removed: they can make a
  name read differently on screen than it is stored ("Trojan Source"), and no name needs them.
- Other control characters (NUL and the rest of C0, DEL) are refused with a clear message: they
  cannot be shown, printed or stored in PostgreSQL (NUL). Line breaks and tabs are kept.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_bidi_controls(value: str) -> str:
    return BIDI_CONTROLS.sub("", value)


def validate_no_control_characters(value) -> None:
    if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
        raise ValidationError(
            _("Texten innehåller osynliga styrtecken som inte kan sparas. Skriv om texten och försök igen."),
            code="control_characters",
        )


def without_control_characters(value: str) -> str:
    """For showing back what was refused: the same text, minus what cannot be stored."""
    return strip_bidi_controls(CONTROL_CHARACTERS.sub("", value))


def clean_text(value: str) -> str:
    """For text that arrives outside a form (a CSV import): refuse control characters, drop bidi."""
    validate_no_control_characters(value)
    return strip_bidi_controls(value)
