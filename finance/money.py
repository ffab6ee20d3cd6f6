"""Pure money rules of finance, in integer öre: splitting a sum, and reading amounts people type."""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def split_evenly(total_ore: int, parts: int) -> list[int]:
    """Split a sum into `parts` integer amounts that add up exactly and differ by at most one öre.

    The first parts take the leftover öre, so 4 × 177 958,25 kr = 711 833 kr exactly, and
    100,01 kr becomes 25,01 + 25,00 + 25,00 + 25,00.
    """
    if parts < 1:
        raise ValueError("parts must be at least 1")
    if total_ore < 0:
        raise ValueError("total must not be negative")
    base, leftover = divmod(total_ore, parts)
    return [base + (1 if index < leftover else 0) for index in range(parts)]


# Whole kronor either plain ("1234") or grouped by threes with a space ("1 234"), then at most two
# decimals after a comma or a point. Nothing else: no sign, no thousands point, no letters.
_AMOUNT = re.compile(r"^(?P<kronor>\d+|\d{1,3}(?: \d{3})+)(?:[.,](?P<decimals>\d+))?$")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


def parse_amount_ore(text: str) -> int:
    """'1 234,50', '1234.50', '1234' -> öre. Negative, non-numeric, > 2 decimals are refused."""
    cleaned = _SPACES.sub(" ", (text or "").strip()).removesuffix(" kr").removesuffix("kr").strip()
    if cleaned.startswith(("-", "−")):
        raise ValidationError(_("Beloppet kan inte vara negativt."), code="negative")
    match = _AMOUNT.match(cleaned)
    if not match:
        raise ValidationError(_("Skriv beloppet med siffror, till exempel 1 234,50."), code="invalid")
    decimals = match["decimals"] or ""
    if len(decimals) > 2:
        raise ValidationError(_("Beloppet kan ha högst två decimaler (hela ören)."), code="too_many_decimals")
    kronor = Decimal(match["kronor"].replace(" ", ""))
    ore = Decimal(decimals.ljust(2, "0")) if decimals else Decimal(0)
    return int(kronor * 100 + ore)
